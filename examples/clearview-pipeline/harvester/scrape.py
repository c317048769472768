"""Fetches a profile and the pictures it shows, with instaloader (no downloads to disk)."""

import instaloader

LOADER = instaloader.Instaloader(download_pictures=False, download_videos=False, save_metadata=False)


def fetch_profile(username: str) -> dict:
    profile = instaloader.Profile.from_username(LOADER.context, username)
    return {
        "username": profile.username,
        "full_name": profile.full_name,
        "photo_url": profile.profile_pic_url,
    }


def post_photo_urls(username: str, limit: int = 12) -> list[str]:
    profile = instaloader.Profile.from_username(LOADER.context, username)
    urls = []
    for post in profile.get_posts():
        if post.is_video:
            continue
        urls.append(post.url)
        if len(urls) >= limit:
            break
    return urls
