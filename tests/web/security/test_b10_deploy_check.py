"""B10: `manage.py check --deploy --fail-level WARNING` passes with the production settings."""

from __future__ import annotations

from .production import production_env, run

CHECK = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def test_deploy_check_passes_with_zero_warnings(tmp_path):
    done = run(CHECK, production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNING" not in done.stderr + done.stdout


def test_the_check_is_real_a_weak_secret_key_fails_it(tmp_path):
    done = run(CHECK, production_env(tmp_path, DJANGO_SECRET_KEY="short"))
    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    done = run(CHECK, env)
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY" in done.stderr
