"""A local Lambda "instance": imports one handler in its own process, with its own environment,
then answers invocations read from stdin. Responses go to a dedicated pipe, so the function's own
logs (stdout/stderr) pass through untouched."""

import importlib
import json
import os
import sys
import time
import traceback


class _Context:
    def __init__(self, function_name: str, request_id: str, timeout_s: float, memory_mb: int):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{os.environ.get('AWS_REGION')}:123456789012:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> None:
    code_dir, handler_spec, function_name = sys.argv[1], sys.argv[2], sys.argv[3]
    timeout_s, memory_mb = float(sys.argv[4]), int(sys.argv[5])
    responses = os.fdopen(int(os.environ.pop("LOCAL_LAMBDA_RESPONSE_FD")), "w", buffering=1)
    sys.path.insert(0, code_dir)
    module_name, attribute = handler_spec.rsplit(".", 1)
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
        responses.write(json.dumps({"ready": True}) + "\n")
    except Exception:
        responses.write(json.dumps({"ready": False, "error": traceback.format_exc()}) + "\n")
        return
    for line in sys.stdin:
        request = json.loads(line)
        context = _Context(function_name, request["request_id"], timeout_s, memory_mb)
        try:
            result = handler(request["event"], context)
            responses.write(json.dumps({"result": result}, default=str) + "\n")
        except Exception as exc:  # reported like Lambda's errorType/errorMessage
            responses.write(json.dumps({"error": {"errorType": type(exc).__name__, "errorMessage": str(exc),
                                                  "stackTrace": traceback.format_exc()}}) + "\n")


if __name__ == "__main__":
    main()
