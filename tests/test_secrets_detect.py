"""Secret-looking values are recognised in memory (names kept, values dropped)."""

from scanner.secrets import secret_like, secret_names


def test_recognises_secret_names_and_values():
    assert secret_like("DB_PASSWORD", "hunter2-prod")
    assert secret_like("API_KEY", "CANARY-LAMBDA-SECRET-7x2q")
    assert secret_like("ANYTHING", "AKIAABCDEFGHIJKLMNOP")
    assert secret_like("DATABASE_URL", "postgres://app:s3cr3t@db.internal:5432/app")
    assert secret_like("BLOB", "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")


def test_ignores_ordinary_config_and_references():
    assert not secret_like("DB_HOST", "db.internal")
    assert not secret_like("LOG_LEVEL", "info")
    assert not secret_like("DB_PASSWORD", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC")
    assert not secret_like("TOKEN_TTL", "true")
    assert not secret_like("API_KEY", "{{resolve:secretsmanager:api}}")


def test_secret_names_returns_names_only():
    assert secret_names({"DB_HOST": "x", "DB_PASSWORD": "hunter2-prod"}) == ["DB_PASSWORD"]
