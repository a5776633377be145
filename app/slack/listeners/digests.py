"""`/okr digest [post] [team]`: this week's digest, previewed privately or posted now."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from app.domain.digest import Digest
from app.slack.blocks import escape
from app.slack.listeners.pages import from_option, send_pages
from app.slack.listeners.support import (
    USAGES,
    SlashRequest,
    post_problem,
    reply,
    which_team_error,
)
from app.slack.outbound import digest_outgoing, post_outgoing
from app.slack.views.digest import build_digest_messages
from app.slack.views.help import build_notice
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
    except (NoSuchTeam, WhichTeam) as refused:
        raise which_team_error(refused, "digest") from None
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
    digest, team_name, channel = found.digest, escape(found.team_name), found.channel
    if post and channel:
        request.notice(f":mega: Posting {team_name}'s digest to <#{channel}>.")
        request.later("post a digest", lambda: _post(request, digest, team_name, channel))
        return
    # A preview, visible to the caller only; the chart goes with the real post.
    messages = build_digest_messages(digest)
    send_pages(request, messages, start=start, again=" ".join(["/okr digest", *args]))


def _post(request: SlashRequest, digest: Digest, team_name: str, channel: str) -> None:
    """Post the digest and its chart; tell the admin when Slack refuses."""
    try:
        post_outgoing(request.client, digest_outgoing(digest), channel=channel)
    except SlackApiError as failure:
        reply(request.respond, build_notice(post_problem(failure, channel)))
