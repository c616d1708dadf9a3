// The operations page: one Chart.js chart per <figure>, from the JSON the page embeds.
(function () {
  "use strict";
  const charts = JSON.parse(document.getElementById("operations-charts").textContent);
  const palette = ["#264b5d", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207"];
  charts.forEach(function (chart) {
    const canvas = document.querySelector("#chart-" + chart.id + " canvas");
    if (!canvas || typeof Chart === "undefined") return;
    const datasets = chart.data.datasets.map(function (ds, i) {
      return {
        label: ds.label, data: ds.data, spanGaps: true, yAxisID: ds.y2 ? "y2" : "y",
        backgroundColor: palette[i % palette.length], borderColor: palette[i % palette.length],
      };
    });
    const scales = { x: { stacked: !!chart.stacked }, y: { stacked: !!chart.stacked, beginAtZero: true } };
    if (chart.data.datasets.some(function (ds) { return ds.y2; })) {
      scales.y2 = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } };
    }
    canvas.chart = new Chart(canvas, {
      type: chart.kind, data: { labels: chart.data.labels, datasets: datasets },
      options: { animation: false, maintainAspectRatio: false, scales: scales },
    });
  });
  document.body.dataset.chartsDrawn = String(charts.length);
})();
