"""moto server as its own process, with S3's presigned-POST policy checks in front of it.

`python -m local_stack.moto_server PORT` serves until terminated. A separate process keeps the
emulator's state apart from anything else moto does in the caller's process (tests use moto's
in-process mocks too, which reset the shared backends).
"""

import logging
import sys

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from .s3_post_policy import PostPolicyMiddleware
from .template import LOCAL_SECRET


def main() -> None:
    port = int(sys.argv[1])
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = PostPolicyMiddleware(DomainDispatcherApplication(create_backend_app), secret=LOCAL_SECRET)
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
