"""Requests generated from the API's OpenAPI schema, valid and invalid, through the local gateway with
real tokens: no server error, and every answer is one the schema documents (status, content type,
body). A bounded run; `python -m benchmarks.api_fuzz` is the long one."""

from benchmarks.api_fuzz import fuzz, fuzzing_users

EXAMPLES_PER_OPERATION_AND_MODE = 8


def test_generated_requests_get_no_server_error_and_only_documented_answers(local):
    findings = fuzz(local.api_url, fuzzing_users(local), EXAMPLES_PER_OPERATION_AND_MODE)
    assert findings["examples"] >= 300
    assert findings["server_errors"] == 0, findings["failures"]
    assert findings["schema_violations"] == 0, findings["failures"]
    assert {"200", "201", "404", "422"} <= set(findings["statuses"])  # it reached the routes, not only the gateway
