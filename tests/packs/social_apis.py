"""Social-network and platform APIs (scrapers pack, "unknown": FL102, and FL104 when disclosed):
VK (vk_api, vk), Telegram (telethon, pyrogram), Reddit (praw), the Facebook Graph API
(facebook-sdk) and GitHub (PyGithub)."""

import sqlite3

import facebook
import praw
import requests
import vk
import vk_api
from github import Github
from pyrogram import Client
from telethon import TelegramClient, events
from telethon.sync import TelegramClient as SyncTelegramClient
from vk_api.tools import VkTools

db = sqlite3.connect("people.db")


def vk_profiles(user_id):
    session = vk_api.VkApi(token="token")
    api = session.get_api()
    users = api.users.get(user_ids=user_id, fields="city,bdate,photo_max")
    db.execute("INSERT INTO people VALUES (?)", (users[0]["first_name"],))  # expect: FL102
    friends = vk_api.VkApi(login="account", password="password").get_api().friends.get(user_id=user_id)
    db.execute("INSERT INTO people VALUES (?)", (str(friends["items"]),))  # expect: FL102
    members = session.method("groups.getMembers", {"group_id": "club1"})
    db.execute("INSERT INTO people VALUES (?)", (str(members),))  # expect: FL102
    wall = VkTools(session).get_all("wall.get", 100, {"owner_id": user_id})
    db.execute("INSERT INTO posts VALUES (?)", (str(wall["items"]),))  # expect: FL102
    legacy = vk.API(access_token="token", v="5.131")
    db.execute("INSERT INTO people VALUES (?)", (str(legacy.users.get(user_ids=user_id)),))  # expect: FL102
    photos = api.photos.getAll(owner_id=user_id)
    db.execute("INSERT INTO photos VALUES (?)", (str(photos["items"]),))  # expect: FL102, FL201
    requests.post("https://crm.example.com/leads", json=users)  # expect: FL104
    db.execute("INSERT INTO lookups VALUES (?)", (user_id,))


async def telegram_members(chat):
    client = TelegramClient("session", 12345, "api-hash")
    for member in await client.get_participants(chat):
        db.execute("INSERT INTO people VALUES (?, ?)", (member.username, member.phone))  # expect: FL102
    async for message in client.iter_messages(chat, limit=100):
        db.execute("INSERT INTO messages VALUES (?)", (message.text,))  # expect: FL102
    entity = await client.get_entity("someone")
    db.execute("INSERT INTO people VALUES (?)", (entity.first_name,))  # expect: FL102
    photo = await client.download_profile_photo(entity, file="photos/")  # expect: FL102
    db.execute("INSERT INTO photos VALUES (?)", (photo,))  # expect: FL102, FL201
    async for message in client.iter_messages(chat, limit=10):
        await message.download_media(file="media/")  # expect: FL102
    await client.download_media(entity.photo, file="media/")  # expect: FL102
    me = await client.get_me()
    db.execute("INSERT INTO me VALUES (?)", (me.username,))


bot = TelegramClient("bot", 12345, "api-hash")


@bot.on(events.NewMessage(chats="somechannel"))
async def incoming(event):
    db.execute("INSERT INTO messages VALUES (?, ?)", (event.sender_id, event.raw_text))  # xfail: FL102


def telegram_sync(chat):
    client = SyncTelegramClient("session", 12345, "api-hash")
    for message in client.get_messages(chat, limit=10):
        db.execute("INSERT INTO messages VALUES (?)", (message.message,))  # expect: FL102
    for member in client.iter_participants(chat):
        db.execute("INSERT INTO people VALUES (?)", (member.id,))  # expect: FL102


def pyrogram_members(chat):
    app = Client("account")
    for member in app.get_chat_members(chat):
        db.execute("INSERT INTO people VALUES (?)", (member.user.first_name,))  # expect: FL102
    for message in app.get_chat_history(chat, limit=50):
        db.execute("INSERT INTO messages VALUES (?)", (message.text,))  # expect: FL102
    users = app.get_users(["someone", "other"])
    db.execute("INSERT INTO people VALUES (?)", (str(users),))  # expect: FL102
    for message in app.get_chat_history(chat, limit=5):
        app.download_media(message, file_name="media/")  # expect: FL102
    db.execute("INSERT INTO me VALUES (?)", (app.get_me().id,))


def reddit_users(name):
    reddit = praw.Reddit(client_id="id", client_secret="secret", user_agent="agent")
    redditor = reddit.redditor(name)
    for comment in redditor.comments.new(limit=100):
        db.execute("INSERT INTO comments VALUES (?)", (comment.body,))  # expect: FL102
    for submission in reddit.subreddit("python").hot(limit=10):
        db.execute("INSERT INTO posts VALUES (?, ?)", (submission.title, str(submission.author)))  # expect: FL102
    for submission in reddit.subreddit("python").top(time_filter="week"):
        db.execute("INSERT INTO posts VALUES (?)", (submission.selftext,))  # expect: FL102
    for comment in reddit.subreddit("python").comments(limit=25):
        db.execute("INSERT INTO comments VALUES (?)", (str(comment.author),))  # expect: FL102
    post = reddit.submission(id="abc123")
    db.execute("INSERT INTO people VALUES (?)", (post.author.name,))  # expect: FL102
    subreddit = reddit.subreddit("python")
    db.execute("INSERT INTO subreddits VALUES (?)", (subreddit.display_name,))
    db.execute("INSERT INTO me VALUES (?)", (str(reddit.user.me()),))


def facebook_graph(page_id):
    graph = facebook.GraphAPI(access_token="token", version="3.1")
    profile = graph.get_object(id=page_id, fields="name,location")
    db.execute("INSERT INTO people VALUES (?)", (profile["name"],))  # expect: FL102
    posts = graph.get_connections(id=page_id, connection_name="posts")
    db.execute("INSERT INTO posts VALUES (?)", (str(posts["data"]),))  # expect: FL102
    for post in graph.get_all_connections(id=page_id, connection_name="feed"):
        db.execute("INSERT INTO posts VALUES (?)", (post["message"],))  # expect: FL102
    token = graph.get_app_access_token("app-id", "app-secret")
    db.execute("INSERT INTO tokens VALUES (?)", (token,))


def github_users(login):
    github = Github("token")
    user = github.get_user(login)
    db.execute("INSERT INTO people VALUES (?, ?)", (user.name, user.email))  # expect: FL102
    for person in github.search_users("location:Berlin"):
        db.execute("INSERT INTO people VALUES (?)", (person.login,))  # expect: FL102
    repo = github.get_repo("owner/project")
    for stargazer in repo.get_stargazers():
        db.execute("INSERT INTO people VALUES (?)", (stargazer.login,))  # expect: FL102
    for commit in repo.get_commits():
        db.execute("INSERT INTO people VALUES (?)", (commit.commit.author.email,))  # expect: FL102
    db.execute("INSERT INTO repos VALUES (?)", (repo.stargazers_count,))
    requests.post("https://crm.example.com/leads", json={"email": user.email})  # expect: FL104


def vk_more(user_id):
    pool = vk_api.VkRequestsPool(vk_api.VkApi(token="token"))
    users = pool.method("users.get", {"user_ids": user_id})
    db.execute("INSERT INTO people VALUES (?)", (str(users.result),))  # expect: FL102
    posts = VkTools(vk_api.VkApi(token="token")).get_all_iter("wall.get", 100, {"owner_id": user_id})
    db.execute("INSERT INTO posts VALUES (?)", (str(list(posts)),))  # expect: FL102
    user_api = vk.UserAPI(user_login="account", user_password="password", v="5.131")
    db.execute("INSERT INTO people VALUES (?)", (str(user_api.friends.get(user_id=user_id)),))  # expect: FL102


async def telegram_more(chat):
    client = TelegramClient("session", 12345, "api-hash")
    db.execute("INSERT INTO people VALUES (?)", (str(await client.get_input_entity("someone")),))  # expect: FL102
    for dialog in await client.get_dialogs():
        db.execute("INSERT INTO chats VALUES (?)", (dialog.name,))  # expect: FL102
    async for dialog in client.iter_dialogs():
        db.execute("INSERT INTO chats VALUES (?)", (dialog.name,))  # expect: FL102
    photos = await client.get_profile_photos("someone")
    db.execute("INSERT INTO photos VALUES (?)", (str(photos),))  # expect: FL102, FL201
    async for photo in client.iter_profile_photos("someone"):
        db.execute("INSERT INTO photos VALUES (?)", (str(photo),))  # expect: FL102, FL201
    async for message in client.iter_messages(chat, limit=1):
        await client.download_file(message.media, file="media/")  # expect: FL102
    app = Client("account")
    db.execute("INSERT INTO chats VALUES (?)", (str(app.get_chat(chat)),))  # expect: FL102
    db.execute("INSERT INTO messages VALUES (?)", (str(app.get_messages(chat, [1, 2])),))  # expect: FL102
    for message in app.search_messages(chat, query="name"):
        db.execute("INSERT INTO messages VALUES (?)", (message.text,))  # expect: FL102
    for message in app.search_global("name"):
        db.execute("INSERT INTO messages VALUES (?)", (message.text,))  # expect: FL102
    for dialog in app.get_dialogs():
        db.execute("INSERT INTO chats VALUES (?)", (str(dialog.chat.title),))  # expect: FL102
    for photo in app.get_chat_photos("someone"):
        db.execute("INSERT INTO photos VALUES (?)", (photo.file_id,))  # expect: FL102, FL201
        app.download(photo)  # expect: FL102, FL201


def reddit_more(name):
    reddit = praw.Reddit(client_id="id", client_secret="secret", user_agent="agent")
    subreddit = reddit.subreddit("python")
    for submission in subreddit.new(limit=10):
        db.execute("INSERT INTO posts VALUES (?)", (submission.title,))  # expect: FL102
    for submission in subreddit.rising():
        db.execute("INSERT INTO posts VALUES (?)", (submission.title,))  # expect: FL102
    for submission in subreddit.controversial():
        db.execute("INSERT INTO posts VALUES (?)", (submission.title,))  # expect: FL102
    for submission in subreddit.gilded():
        db.execute("INSERT INTO posts VALUES (?)", (submission.title,))  # expect: FL102
    for submission in subreddit.search(name):
        db.execute("INSERT INTO posts VALUES (?)", (submission.title,))  # expect: FL102
    for comment in subreddit.stream.comments(skip_existing=True):
        db.execute("INSERT INTO comments VALUES (?)", (comment.body,))  # expect: FL102
    for submission in subreddit.stream.submissions():
        db.execute("INSERT INTO posts VALUES (?)", (submission.title,))  # expect: FL102
    for contributor in subreddit.contributor():
        db.execute("INSERT INTO people VALUES (?)", (str(contributor),))  # expect: FL102
    for moderator in subreddit.moderator():
        db.execute("INSERT INTO people VALUES (?)", (str(moderator),))  # expect: FL102
    db.execute("INSERT INTO comments VALUES (?)", (reddit.comment("abc").body,))  # expect: FL102
    for thing in reddit.info(fullnames=["t3_abc"]):
        db.execute("INSERT INTO posts VALUES (?)", (str(thing),))  # expect: FL102
    for person in reddit.redditors.search(name):
        db.execute("INSERT INTO people VALUES (?)", (person.name,))  # expect: FL102


def facebook_and_github_more(page_id, login):
    graph = facebook.GraphAPI(access_token="token")
    db.execute("INSERT INTO people VALUES (?)", (str(graph.get_objects(ids=[page_id])),))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (str(graph.search(type="place", q="cafe")),))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (str(graph.request(f"{page_id}/tagged")),))  # expect: FL102
    github = Github("token")
    db.execute("INSERT INTO people VALUES (?)", (github.get_user_by_id(1).name,))  # expect: FL102
    for user in github.get_users(since=100):
        db.execute("INSERT INTO people VALUES (?)", (user.login,))  # expect: FL102
    for commit in github.search_commits("author-email:someone@example.com"):
        db.execute("INSERT INTO people VALUES (?)", (commit.author.login,))  # expect: FL102
    for issue in github.search_issues("author:" + login):
        db.execute("INSERT INTO posts VALUES (?)", (issue.body,))  # expect: FL102
    repo = github.get_repo("owner/project")
    for person in repo.get_stargazers_with_dates():
        db.execute("INSERT INTO people VALUES (?)", (person.user.login,))  # expect: FL102
    for person in repo.get_contributors():
        db.execute("INSERT INTO people VALUES (?)", (person.email,))  # expect: FL102
    for person in repo.get_collaborators():
        db.execute("INSERT INTO people VALUES (?)", (person.login,))  # expect: FL102
    for person in repo.get_subscribers():
        db.execute("INSERT INTO people VALUES (?)", (person.login,))  # expect: FL102
    for person in repo.get_watchers():
        db.execute("INSERT INTO people VALUES (?)", (person.login,))  # expect: FL102
    for issue in repo.get_issues():
        db.execute("INSERT INTO people VALUES (?)", (issue.user.login,))  # expect: FL102
    for pull in repo.get_pulls():
        db.execute("INSERT INTO people VALUES (?)", (pull.user.login,))  # expect: FL102
    for fork in repo.get_forks():
        db.execute("INSERT INTO people VALUES (?)", (fork.owner.login,))  # expect: FL102
    organization = github.get_organization("org")
    for member in organization.get_members():
        db.execute("INSERT INTO people VALUES (?)", (member.login,))  # expect: FL102
    for member in organization.get_public_members():
        db.execute("INSERT INTO people VALUES (?)", (member.login,))  # expect: FL102
    db.execute("INSERT INTO orgs VALUES (?)", (organization.public_repos,))
    user = github.get_user(login)
    for follower in user.get_followers():
        db.execute("INSERT INTO people VALUES (?)", (follower.login,))  # expect: FL102


def vk_photos(user_id):
    legacy = vk.API(access_token="token", v="5.131")
    db.execute("INSERT INTO photos VALUES (?)", (str(legacy.photos.get(owner_id=user_id)),))  # expect: FL102, FL201
    user_api = vk.UserAPI(user_login="account", user_password="password", v="5.131")
    db.execute("INSERT INTO photos VALUES (?)", (str(user_api.photos.getAll(owner_id=user_id)),))  # expect: FL102, FL201


def github_following(login):
    for followed in Github("token").get_user(login).get_following():
        db.execute("INSERT INTO people VALUES (?)", (followed.login,))  # expect: FL102
