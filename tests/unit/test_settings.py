import pytest

from smartretail.settings import ApiSettings

FULL = {
    "AWS_REGION": "eu-west-1", "COGNITO_USER_POOL_ID": "p", "COGNITO_CLIENT_ID": "c", "RAW_BUCKET": "r",
    "CURATED_BUCKET": "k", "UPLOADS_TABLE": "u", "FORECASTS_TABLE": "f", "MODELS_TABLE": "m", "GLUE_DATABASE": "d", "ATHENA_WORKGROUP": "w",
    "DECISIONS_TABLE": "dc", "PROPOSALS_TABLE": "p", "ALERTS_TABLE": "a", "AUDIT_TABLE": "au", "DOCUMENTS_BUCKET": "db",
    "DOCUMENTS_TABLE": "dt",
}


def test_a_missing_variable_fails_the_init_naming_it():
    env = dict(FULL)
    del env["UPLOADS_TABLE"]
    with pytest.raises(RuntimeError, match="UPLOADS_TABLE: Field required"):
        ApiSettings.from_env(env)


def test_a_malformed_variable_is_named():
    with pytest.raises(RuntimeError, match="MAX_UPLOAD_BYTES"):
        ApiSettings.from_env({**FULL, "MAX_UPLOAD_BYTES": "lots"})


def test_defaults_apply():
    settings = ApiSettings.from_env(FULL)
    assert settings.MAX_UPLOAD_BYTES == 100 * 1024 * 1024
    assert settings.SMARTRETAIL_LOCAL is False
