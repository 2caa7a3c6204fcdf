"""moto server as its own process, with S3's presigned-POST policy checks and Cognito's token endpoint
for machine clients (local_stack.oauth2) in front of it.

`python -m local_stack.moto_server PORT` serves until terminated. A separate process keeps the
emulator's state apart from anything else moto does in the caller's process (tests use moto's
in-process mocks too, which reset the shared backends). With SFN_MOCK_CONFIG set, Step Functions
executions can use mocked service integrations (see sfn_mocks).
"""

import logging
import os
import sys

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from .oauth2 import TokenEndpointMiddleware
from .s3_post_policy import PostPolicyMiddleware
from .template import LOCAL_SECRET


def main() -> None:
    port = int(sys.argv[1])
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from .sfn_mocks import allow_repeated_executions, install

    allow_repeated_executions()
    if os.environ.get("SFN_MOCK_CONFIG"):
        install(os.environ["SFN_MOCK_CONFIG"])
    app = TokenEndpointMiddleware(PostPolicyMiddleware(DomainDispatcherApplication(create_backend_app), secret=LOCAL_SECRET))
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
