"""Logs: the logging module, loggers, loguru and structlog (`collection.log`)."""

import logging

import structlog
from instagrapi import Client
from loguru import logger as loguru_logger

client = Client()
log = logging.getLogger(__name__)


class Importer:
    def __init__(self, logger: logging.Logger):
        self.logger = logger

    def run(self, username):
        user = client.user_info_by_username(username)
        self.logger.info("imported %s", user.full_name)  # expect: FL101
        self.logger.info("imported %s", username)


def logs(username):
    user = client.user_info_by_username(username)
    logging.info("user %s", user.full_name)  # expect: FL101
    log.warning("user %s", user.biography)  # expect: FL101
    log.debug("looked up %s", username)
    logging.getLogger("crm").getChild("import").error("%s", user)  # expect: FL101
    loguru_logger.info("user {}", user.full_name)  # expect: FL101
    loguru_logger.bind(job="import").debug("user {}", user.username)  # expect: FL101
    structlog.get_logger().info("imported", name=user.full_name)  # expect: FL101
    print(user.full_name)
