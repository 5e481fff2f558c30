"""The seeded sandbox world: the application, its bot user, and the "Story Circle" guild with
roles, channels (one age-restricted, one where the bot may not post) and members."""

from __future__ import annotations

from dataclasses import dataclass

from . import permissions as p
from .entities import Channel, Guild, Member, Role, SandboxUser
from .permissions import OVERWRITE_ROLE, Overwrite
from .snowflake import SnowflakeFactory

PRIMARY_GUILD_NAME = "Story Circle"

# What a fresh Discord server grants @everyone (roughly Discord's own default set).
EVERYONE_PERMISSIONS = (
    p.CREATE_INSTANT_INVITE
    | p.ADD_REACTIONS
    | p.VIEW_CHANNEL
    | p.SEND_MESSAGES
    | p.EMBED_LINKS
    | p.ATTACH_FILES
    | p.READ_MESSAGE_HISTORY
    | p.USE_EXTERNAL_EMOJIS
    | p.CONNECT
    | p.SPEAK
    | p.CHANGE_NICKNAME
    | p.USE_APPLICATION_COMMANDS
    | p.CREATE_PUBLIC_THREADS
    | p.CREATE_PRIVATE_THREADS
    | p.SEND_MESSAGES_IN_THREADS
)
CURATOR_PERMISSIONS = (
    p.MANAGE_GUILD
    | p.MANAGE_MESSAGES
    | p.MANAGE_THREADS
    | p.MENTION_EVERYONE
    | p.MODERATE_MEMBERS
    | p.MANAGE_NICKNAMES
)
# The bot's managed role: what an invite link with these scopes would grant.
BOT_PERMISSIONS = (
    p.VIEW_CHANNEL
    | p.SEND_MESSAGES
    | p.SEND_MESSAGES_IN_THREADS
    | p.CREATE_PUBLIC_THREADS
    | p.MANAGE_THREADS
    | p.EMBED_LINKS
    | p.ATTACH_FILES
    | p.READ_MESSAGE_HISTORY
    | p.ADD_REACTIONS
    | p.USE_EXTERNAL_EMOJIS
)


@dataclass
class SandboxUsers:
    """The people (and the bot) of the sandbox guild."""

    owner: SandboxUser
    curator: SandboxUser
    reader: SandboxUser
    reader2: SandboxUser
    bot: SandboxUser

    def all(self) -> list[SandboxUser]:
        return [self.owner, self.curator, self.reader, self.reader2, self.bot]


@dataclass
class SandboxRoles:
    everyone: Role
    curator: Role
    readers: Role
    bot: Role


@dataclass
class Application:
    id: int
    name: str
    description: str
    owner: SandboxUser


def build_world(ids: SnowflakeFactory) -> tuple[Application, Guild, SandboxUsers, SandboxRoles]:
    """Create the application, users and the "Story Circle" guild with fresh snowflakes."""
    app_id = ids.next()
    users = SandboxUsers(
        owner=SandboxUser(ids.next(), "mara", "Mara (owner)"),
        curator=SandboxUser(ids.next(), "ines", "Ines the Curator"),
        reader=SandboxUser(ids.next(), "tom", "Tom"),
        reader2=SandboxUser(ids.next(), "priya", "Priya"),
        bot=SandboxUser(app_id, "storybot", "storybot", bot=True),  # bot user id == app id
    )
    application = Application(app_id, "storybot", "Stories for your server", users.owner)
    guild, roles = build_guild(ids, ids.next(), PRIMARY_GUILD_NAME, users)
    return application, guild, users, roles


def build_guild(ids: SnowflakeFactory, guild_id: int, name: str, users: SandboxUsers
                ) -> tuple[Guild, SandboxRoles]:
    """A guild of the world's shape (the same people as members, the same roles and
    channels) with the given id; everything in it gets fresh ids."""
    roles = SandboxRoles(
        everyone=Role(guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0),
        readers=Role(ids.next(), "Readers", 0, position=1, color=0x3498DB, mentionable=True),
        curator=Role(ids.next(), "Curator", CURATOR_PERMISSIONS, position=2, color=0xE67E22,
                     hoist=True, mentionable=True),
        bot=Role(ids.next(), "storybot", BOT_PERMISSIONS, position=3, managed=True,
                 bot_id=users.bot.id),
    )
    guild = Guild(guild_id, name, owner_id=users.owner.id)
    for role in (roles.everyone, roles.readers, roles.curator, roles.bot):
        guild.roles[role.id] = role

    guild.members[users.owner.id] = Member(users.owner, [])
    guild.members[users.curator.id] = Member(users.curator, [roles.curator.id, roles.readers.id])
    guild.members[users.reader.id] = Member(users.reader, [roles.readers.id])
    guild.members[users.reader2.id] = Member(users.reader2, [roles.readers.id], nick="priya reads")
    guild.members[users.bot.id] = Member(users.bot, [roles.bot.id])

    def text(name: str, topic: str, **extra: object) -> Channel:
        channel = Channel(ids.next(), name, guild_id, position=len(guild.channels), topic=topic)
        for key, value in extra.items():
            setattr(channel, key, value)
        guild.channels[channel.id] = channel
        return channel

    text("general", "Say hello")
    text("stories", "Excerpts and story talk")
    text("book-club", "This month's read")
    text("after-dark", "Mature stories (18+)", nsfw=True)
    # Only curators may post here; the bot's role is not allowed to.
    text(
        "announcements",
        "News from the curators",
        overwrites=[
            Overwrite(guild_id, OVERWRITE_ROLE, deny=p.SEND_MESSAGES),
            Overwrite(roles.curator.id, OVERWRITE_ROLE, allow=p.SEND_MESSAGES),
        ],
    )
    # Hidden from everyone but curators (and so from the bot).
    text(
        "curators",
        "Curator planning",
        overwrites=[
            Overwrite(guild_id, OVERWRITE_ROLE, deny=p.VIEW_CHANNEL),
            Overwrite(roles.curator.id, OVERWRITE_ROLE, allow=p.VIEW_CHANNEL),
        ],
    )
    return guild, roles
