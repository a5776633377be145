"""The import and export file of teams and OKRs: its schema, reading it, writing it.

A file holds one team document (a mapping) or a list of them::

    workspace: T0001              # Slack workspace id (required)
    enterprise: E0001             # Enterprise Grid org id (optional)
    team: Growth                  # team name, matched case-insensitively (required)
    channel: C0123456             # digest channel (optional)
    timezone: Europe/Berlin       # tz database name (optional; UTC for a new team)
    admins: [U0ADMIN1]            # become team admins (optional)
    members: [U0MEMBER1]          # join the team (optional)
    checkin: {day: friday, time: "10:00"}   # weekly check-in (optional)
    digest: {day: friday, time: "16:00"}    # weekly digest (optional)
    cycle: 2026-Q4                # optional: the current quarter in the team's time zone
    objectives:                   # optional; 2 to 4 key results each
      - title: Make onboarding effortless for new teams
        owner: U0OWNER1           # optional
        description: Why it matters      # optional
        key_results:
          - title: Raise onboarding completion from 60% to 85%
            owner: U0OWNER1       # optional
            kind: increase        # optional: increase, decrease, stay_above, stay_below,
            start: 60             #   milestone; kind, start, target and unit are read
            target: 85            #   from the title when left out (explicit values win)
            current: 70           # optional: the latest reported value
            unit: "%"

* Unknown keys are rejected, so typos are caught; every problem in the file is reported,
  each as ``path.in[0].file: reason``.
* Times are ``HH:MM`` (24 hours); weekdays are names (``friday`` or ``fri``). YAML is read
  without its 1.1 surprises: ``10:00`` stays text (not 600) and ``no`` stays text (not false).

`schema` holds the document's models and field types, `validation` checks parsed data
against them (and against the modal's OKR rules) in plain words, and `files` reads YAML or
JSON and writes JSON, YAML or CSV. Nothing here touches the database: importing into it and
exporting from it are the use cases in `app.usecases.transfer`.
"""
