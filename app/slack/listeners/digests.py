"""`/okr digest [post] [team]`: this week's digest, previewed privately or posted now."""

from __future__ import annotations

from app.slack.blocks import escape
from app.slack.listeners.pages import from_option, send_pages
from app.slack.listeners.support import USAGES, SlashRequest, UsageError
from app.slack.outbound import digest_outgoing, post_outgoing
from app.usecases import digests
from app.usecases.errors import NoSuchTeam, NotTeamAdmin, WhichTeam


def digest_command(request: SlashRequest) -> None:
    """Preview the digest (anyone) or post it to the team's channel (team admins)."""
    start, args = from_option(request.args, USAGES["digest"])
    post = bool(args) and args[0].lower() == "post"
    team_name = " ".join(args[1:] if post else args)
    try:
        found = digests.digest_for(
            request.services,
            request.caller(),
            team_name=team_name,
            post=post,
            now=request.services.now(),
        )
    except NoSuchTeam as missing:
        raise UsageError(
            f"There is no team called *{escape(missing.name)}*.", USAGES["digest"]
        ) from None
    except WhichTeam:
        raise UsageError("Which team? Name it.", USAGES["digest"]) from None
    except NotTeamAdmin as refused:
        request.notice(
            f"Only {escape(refused.team_name)}'s admins can post the digest now; "
            "`/okr digest` shows you a preview."
        )
        return
    except digests.NoDigestChannel as refused:
        request.notice(f"{escape(refused.team_name)} has no digest channel: `/okr team` sets it.")
        return
    if found.digest is None:
        request.notice(f"{escape(found.team_name)} has no objectives this cycle yet.")
        return
    outgoing = digest_outgoing(found.digest)
    if post and found.channel:
        post_outgoing(request.client, outgoing, channel=found.channel)
        request.notice(f":mega: Posted {escape(found.team_name)}'s digest to <#{found.channel}>.")
        return
    # A preview, visible to the caller only; the chart goes with the real post.
    send_pages(request, outgoing.messages, start=start, again=" ".join(["/okr digest", *args]))
