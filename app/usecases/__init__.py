"""The product's rules, with no Slack in them.

One module per capability. Each use case takes the unit of work (`Services`: the database
and its caches), the caller, inputs already parsed into domain types, and `now`; it
enforces permissions and invariants and returns a result for the caller to render. Slack
listeners, the clock, the command line and any future API call these; none of them
repeats a rule. No module here imports Slack's SDKs or writes SQL (that is `app.store`'s).
"""
