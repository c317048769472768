"""Instagram scrapers (scrapers pack): instaloader and igramscraper ("unknown": FL102),
instagrapi and instagram_private_api (lawful = false: FL101), instagram_web_api ("unknown").
Picture reads carry `user.biometric.face`, so storing them is also FL201 and FL202."""

import sqlite3

import instaloader
from igramscraper.instagram import Instagram
from instagram_private_api import Client as PrivateClient
from instagram_web_api import Client as WebClient
from instagrapi import Client

db = sqlite3.connect("crm.db")
loader = instaloader.Instaloader()


def instaloader_profiles(username):
    profile = instaloader.Profile.from_username(loader.context, username)
    db.execute("INSERT INTO people VALUES (?, ?)", (profile.full_name, profile.biography))  # expect: FL102
    db.execute("INSERT INTO pictures VALUES (?)", (profile.profile_pic_url,))  # expect: FL102, FL201, FL202
    for follower in profile.get_followers():
        db.execute("INSERT INTO people VALUES (?)", (follower.username,))  # expect: FL102
    for post in profile.get_posts():
        db.execute("INSERT INTO posts VALUES (?)", (post.caption,))  # expect: FL102
        loader.download_post(post, target=username)  # expect: FL102
    post = instaloader.Post.from_shortcode(loader.context, "CODE")
    db.execute("INSERT INTO pictures VALUES (?)", (post.url,))  # expect: FL102, FL201, FL202
    db.execute("INSERT INTO posts VALUES (?)", (post.caption,))  # expect: FL102
    loader.download_profile(username)
    own = instaloader.Profile.own_profile(loader.context)
    db.execute("INSERT INTO me VALUES (?)", (own.username,))


def instaloader_iterated_pictures(username):
    profile = instaloader.Profile.from_username(loader.context, username)
    for post in profile.get_posts():
        # the post's image URL: the path through iteration is lost, so only the post's own
        # categories reach the sink (FL102), not the face of `post.url`
        db.execute("INSERT INTO pictures VALUES (?)", (post.url,))  # expect: FL102, FL201, FL202


def instagrapi_client(username):
    client = Client()
    client.login("account", "password")
    user = client.user_info_by_username(username)
    db.execute("INSERT INTO people VALUES (?, ?)", (user.full_name, user.public_email))  # expect: FL101
    db.execute("INSERT INTO pictures VALUES (?)", (user.profile_pic_url_hd,))  # expect: FL101, FL201, FL202
    for media in client.user_medias(user.pk, amount=20):
        db.execute("INSERT INTO posts VALUES (?)", (media.caption_text,))  # expect: FL101
        path = client.photo_download(media.pk, folder="photos")  # expect: FL101
        db.execute("INSERT INTO files VALUES (?)", (str(path),))  # expect: FL101, FL201, FL202
    followers = client.user_followers(user.pk)
    db.execute("INSERT INTO people VALUES (?)", (str(followers),))  # expect: FL101
    db.execute("INSERT INTO lookups VALUES (?)", (username,))


def private_api(username):
    api = PrivateClient("account", "password")
    info = api.username_info(username)
    db.execute("INSERT INTO people VALUES (?)", (info["user"]["full_name"],))  # expect: FL101
    feed = api.feed_tag("travel", api.generate_uuid())
    db.execute("INSERT INTO posts VALUES (?)", (str(feed),))  # expect: FL101
    web = WebClient(auto_patch=True)
    db.execute("INSERT INTO posts VALUES (?)", (str(web.user_feed("329452045", count=10)),))  # expect: FL102


def igramscraper_client(username):
    instagram = Instagram()
    account = instagram.get_account(username)
    db.execute("INSERT INTO people VALUES (?)", (account.full_name,))  # expect: FL102
    db.execute("INSERT INTO pictures VALUES (?)", (account.get_profile_picture_url(),))  # expect: FL102, FL201, FL202
    for media in instagram.get_medias(username, 25):
        db.execute("INSERT INTO posts VALUES (?)", (media.caption,))  # expect: FL102


def instaloader_complete(username):
    profile = instaloader.Profile.from_username(loader.context, username)
    for followee in profile.get_followees():
        db.execute("INSERT INTO people VALUES (?)", (followee.full_name,))  # expect: FL102
    for post in profile.get_tagged_posts():
        db.execute("INSERT INTO posts VALUES (?)", (post.owner_username,))  # expect: FL102
    own = instaloader.Profile.own_profile(loader.context)
    for post in own.get_saved_posts():
        db.execute("INSERT INTO posts VALUES (?)", (post.caption,))  # expect: FL102
    for story in loader.get_stories(userids=[profile.userid]):
        for item in story.get_items():
            db.execute("INSERT INTO stories VALUES (?)", (str(item.date_utc),))  # expect: FL102
    for highlight in loader.get_highlights(profile):
        db.execute("INSERT INTO stories VALUES (?)", (highlight.title,))  # expect: FL102
    for hit in instaloader.TopSearchResults(loader.context, "name").get_profiles():
        db.execute("INSERT INTO people VALUES (?)", (hit.username,))  # expect: FL102
    post = instaloader.Post.from_shortcode(loader.context, "CODE")
    db.execute("INSERT INTO people VALUES (?)", (post.owner_profile.biography,))  # expect: FL102
    loaded = instaloader.load_structure_from_file(loader.context, "post.json.xz")
    db.execute("INSERT INTO people VALUES (?)", (loaded.owner_username,))  # expect: FL102
    db.execute("INSERT INTO me VALUES (?)", (own.userid,))


def instaloader_more(username):
    hashtag = instaloader.Hashtag.from_name(loader.context, "travel")
    for post in hashtag.get_all_posts():
        db.execute("INSERT INTO posts VALUES (?)", (post.caption,))  # expect: FL102
    for post in hashtag.get_top_posts():
        db.execute("INSERT INTO posts VALUES (?)", (post.caption,))  # expect: FL102
    for post in hashtag.get_posts_resumable():
        db.execute("INSERT INTO posts VALUES (?)", (post.caption,))  # expect: FL102
        for node in post.get_sidecar_nodes():
            db.execute("INSERT INTO pictures VALUES (?)", (node.display_url,))  # expect: FL102
    structure = instaloader.load_structure(loader.context, {"node": {}, "instaloader": {"node_type": "Post"}})
    db.execute("INSERT INTO posts VALUES (?)", (str(structure),))  # expect: FL102


def instaloader_profile_fields(profile: instaloader.Profile, post: instaloader.Post):
    db.execute("INSERT INTO people VALUES (?, ?)", (profile.external_url, profile.business_category_name))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?, ?)", (str(post.tagged_users), str(post.caption_mentions)))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (profile.is_private,))


def instaloader_structures(loader_context):
    profile: instaloader.Profile = instaloader.load_structure_from_file(loader_context, "profile.json.xz")
    db.execute("INSERT INTO people VALUES (?)", (profile.external_url,))  # expect: FL102
