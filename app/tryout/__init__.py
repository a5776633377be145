"""For trying okrbot without Slack, and for tests: nothing here ships to production.

* `standin/`: a local Slack (Web API server with OAuth v2, a driver that signs requests as
  Slack does, a text renderer of Block Kit).
* `sandbox/`: `okrbot sandbox`, the bot in a terminal over the stand-in, with virtual time.
* `demo.py`: `okrbot demo`, a fixed walk-through over the stand-in.

The dependency points one way: this package uses the app, the app never uses it. Nothing in
production (`app.slack`, `app.usecases`, `app.store`, `app.db`, `app.domain`, the clock
process) may import `app.tryout`; only `app.cli` reaches it, lazily, for the `sandbox` and
`demo` commands.
"""
