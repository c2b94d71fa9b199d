"""The password policy (issue 14): every way a password is set refuses a weak one.

Entry paths: the user_create, user_update and user_patch actions (API, CLI and the
demo alike), the profile form's password change and the password reset form. A
refused password leaves the stored one unchanged; an accepted one replaces it.
"""
from __future__ import annotations

import re

import pytest
from ckan import model
from ckan.lib import mailer
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import PASSWORD

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

STRONG = "Rawon-Nguling-Tosari-2026"
_CSRF = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


def _sysadmin() -> dict:
    return {"user": factories.Sysadmin()["name"], "ignore_auth": True}


def _password_errors(**fields) -> list[str]:
    data = {"name": "budi-santoso", "email": "budi.santoso@contoh.go.id",
            "fullname": "Budi Santoso", **fields}
    with pytest.raises(tk.ValidationError) as refused:
        call_action("user_create", _sysadmin(), **data)
    assert set(refused.value.error_dict) == {"password"}, refused.value.error_dict
    assert model.User.get(data["name"]) is None
    return refused.value.error_dict["password"]


def _password_is(name: str, password: str) -> bool:
    model.Session.remove()
    return model.User.get(name).validate_password(password)


def test_user_create_refuses_short_weak_and_personal_passwords():
    assert any("12" in m for m in _password_errors(password="Kp#9x-Lm2!q"))  # 11 characters
    # Long enough, but a dictionary word repeated, a keyboard walk, a common phrase.
    # Local words zxcvbn does not know by itself.
    for weak in ("passwordpassword", "qwertyuiopasdf", "iloveyou12345678", "pasuruan2026",
                 "kabupaten123"):
        assert _password_errors(password=weak), weak
    # The user name, the e-mail address or its local part, inside a longer password.
    for personal in ("budi-santoso-2026!", "Budi.Santoso@contoh.go.id",
                     "xx-BUDI.SANTOSO-99-zz"):
        assert _password_errors(password=personal), personal
    assert _password_errors(password="")  # core's "Missing value"


def test_user_create_accepts_a_strong_password():
    user = call_action("user_create", _sysadmin(), name="siti-aminah",
                       email="siti@contoh.go.id", password=STRONG)
    assert _password_is(user["name"], STRONG)


def test_user_update_and_patch_refuse_a_weak_password_and_keep_the_old_one():
    user = factories.User(name="rina-wati", email="rina@contoh.go.id")
    context = {"user": user["name"], "ignore_auth": True}
    for action, data in (("user_update", {"id": user["id"], "email": user["email"],
                                          "password": "rahasia123"}),
                         ("user_patch", {"id": user["id"], "password": "rina-wati-2026-kuat"}),
                         # user_update without the name: the stored name is checked.
                         ("user_update", {"id": user["id"], "email": user["email"],
                                          "password": "RINA-WATI#Pasuruan-77"})):
        with pytest.raises(tk.ValidationError) as refused:
            call_action(action, dict(context), **data)
        assert "password" in refused.value.error_dict, (action, data)
        assert _password_is(user["name"], PASSWORD)
    # Changing something else needs no new password.
    call_action("user_patch", dict(context), id=user["id"], fullname="Rina Wati")
    assert _password_is(user["name"], PASSWORD)
    call_action("user_patch", dict(context), id=user["id"], password=STRONG)
    assert _password_is(user["name"], STRONG)


def test_the_api_answers_a_weak_password_with_a_409_naming_the_field(app):
    admin = factories.SysadminWithToken()
    response = app.post("/api/3/action/user_create", headers={"Authorization": admin["token"]},
                        json={"name": "andi", "email": "andi@contoh.go.id",
                              "password": "andi12345"}, status=409)
    error = response.json["error"]
    assert error["__type"] == "Validation Error" and set(error) == {"__type", "password"}
    assert len(error["password"]) == 2  # too short, and contains the user name
    assert model.User.get("andi") is None


@pytest.mark.ckan_config("ckanext.satudata.password.min_length", "30")
def test_the_minimum_length_is_configurable():
    assert any("30" in m for m in _password_errors(password=STRONG))


def test_the_profile_form_refuses_a_weak_new_password(app):
    user = factories.UserWithToken()
    url = f"/en/user/edit/{user['name']}"  # English: the catalogue is merged later
    form = {"save": "", "name": user["name"], "email": user["email"],
            "fullname": user["fullname"], "old_password": PASSWORD}
    headers = {"Authorization": user["token"]}
    page = app.post(url, headers=headers, data={**form, "password1": "password2026",
                                                "password2": "password2026"})
    assert page.status_code == 200 and "Password is too easy to guess" in page.body
    assert _password_is(user["name"], PASSWORD)
    done = app.post(url, headers=headers, follow_redirects=False,
                    data={**form, "password1": STRONG, "password2": STRONG})
    assert done.status_code == 302, done.body[:2000]
    assert _password_is(user["name"], STRONG)


def test_the_reset_form_shows_the_policy_and_keeps_the_old_password(app):
    user = factories.User(email="lupa@contoh.go.id")
    mailer.create_reset_key(model.User.get(user["id"]))
    key = model.User.get(user["id"]).reset_key
    url = f"/en/user/reset/{user['id']}?key={key}"
    client = app.test_client(use_cookies=True)
    token = _CSRF.search(client.get(url).get_data(as_text=True)).group(1)
    page = client.post(url, data={"_csrf_token": token, "password1": "sayang12345678",
                                  "password2": "sayang12345678"}, follow_redirects=False)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    # The policy's words, not core's dump of the error dict ({'password': [...]}).
    assert "Password is too easy to guess" in body and "{&#39;password" not in body
    assert _password_is(user["name"], PASSWORD)
    done = client.post(url, data={"_csrf_token": token, "password1": STRONG,
                                  "password2": STRONG}, follow_redirects=False)
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert _password_is(user["name"], STRONG)


def test_factory_users_and_the_demo_accounts_satisfy_the_policy():
    from ckanext.satudata.keamanan.password import problems

    assert _password_is(factories.User()["name"], PASSWORD)
    assert _password_is(factories.Sysadmin()["name"], PASSWORD)
    assert problems(PASSWORD, "operator", "operator@contoh.go.id", "Operator") == []
    demo = tk.config["ckanext.satudata.demo_password"]
    for name in ("walidata", "operator-dinkes", "verifikator-disnakkeswan"):
        assert problems(demo, name, f"{name}@satudata.pasuruankab.go.id", name) == [], name
