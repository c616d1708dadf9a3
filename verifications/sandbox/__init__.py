"""The sandbox: verifications of sandbox merchants (created with a sandbox API key) run the same
pipeline and check code as live ones, with the outside world replaced by recorded responses.

- ``scenarios``: the documented magic values and the outcome each scripts;
- ``transport``: answers outbound HTTP (registries, websites) from ``recordings/``;
- ``environment``: what a run uses of the world (transport, registers, watchlists), chosen by
  the verification's mode once, at the start of the run.

See docs/sandbox.md.
"""
