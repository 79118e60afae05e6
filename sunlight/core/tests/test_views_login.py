"""Login, logout and the language switch: audited, Chinese by default, English on request."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditRecord
from sunlight.core.testing import PASSWORD, World


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default() -> None:
    page = Client().get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "阳光内控" in page
    assert "登录您的账号" in page
    assert "用户名" in page


@pytest.mark.django_db
def test_the_login_page_is_english_after_switching() -> None:
    client = Client()
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Log in to your account" in page
    assert "阳光内控" not in page

    back = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/login/"})
    assert "登录您的账号" in client.get(back["Location"]).content.decode()


@pytest.mark.django_db
def test_a_login_is_audited(world: World) -> None:
    response = Client().post(reverse("login"), {"username": "head", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    record = AuditRecord.objects.get(action="auth.login")
    assert record.actor == world.user("head")
    assert record.actor_name == "head"


@pytest.mark.django_db
def test_a_failed_login_is_audited_and_explained(world: World) -> None:
    response = Client().post(reverse("login"), {"username": "head", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名和密码不匹配" in response.content.decode()
    record = AuditRecord.objects.get(action="auth.login_failed")
    assert record.actor is None
    assert record.actor_name == "head"
    assert not AuditRecord.objects.filter(action="auth.login").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "action"), [(PASSWORD, "auth.login"), ("wrong", "auth.login_failed")]
)
def test_logins_are_audited_with_request_id_and_address(
    world: World, password: str, action: str
) -> None:
    response = Client(REMOTE_ADDR="10.8.1.23").post(
        reverse("login"),
        {"username": "head", "password": password},
        HTTP_X_REQUEST_ID="login-4711",
    )
    assert response["X-Request-ID"] == "login-4711"
    record = AuditRecord.objects.get(action=action)
    assert (record.request_id, record.ip) == ("login-4711", "10.8.1.23")


@pytest.mark.django_db
def test_a_login_without_a_request_id_gets_a_fresh_one(world: World) -> None:
    Client().post(reverse("login"), {"username": "head", "password": "wrong"})
    Client().post(reverse("login"), {"username": "head", "password": "wrong"})
    ids = list(AuditRecord.objects.values_list("request_id", flat=True))
    assert len(ids) == 2
    assert all(len(i) == 32 for i in ids)
    assert ids[0] != ids[1]


@pytest.mark.django_db
def test_logout_is_a_post_and_is_audited(world: World) -> None:
    client = Client()
    client.force_login(world.user("staff"))
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert AuditRecord.objects.get(action="auth.logout").actor == world.user("staff")
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_the_top_bar_shows_name_role_and_menu(world: World) -> None:
    client = Client()
    client.force_login(world.user("staff"))
    page = client.get(reverse("home")).content.decode()
    assert "张三" in page  # the staff record's name, not the login
    for label in ("首页", "组织机构", "岗位", "干部", "权力清单", "职责审批", "退出登录"):
        assert label in page, label
    assert "干部" in page  # the role


@pytest.mark.django_db
def test_home_counts_what_the_user_may_see(world: World) -> None:
    client = Client()
    client.force_login(world.user("head"))
    counts = client.get(reverse("home")).context["counts"]
    assert counts == {"units": 2, "posts": 2, "staff": 1, "power_items": 0}


@pytest.mark.django_db
def test_error_pages_are_translated(world: World) -> None:
    client = Client()
    client.force_login(world.user("staff"))
    missing = client.get(reverse("org:post-detail", args=[world.post_b1.pk]))
    refused = client.get(reverse("org:unit-create"))
    assert missing.status_code == 404
    assert "该记录不存在或不在您的权限范围内" in missing.content.decode()
    assert refused.status_code == 403
    assert "您无权进行此项操作" in refused.content.decode()
