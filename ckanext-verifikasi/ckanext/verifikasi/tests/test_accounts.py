"""Accounts, OPDs and site texts run by the walidata without a sysadmin (issue 14):
actions and pages for every role, the activation e-mail and its link (real SMTP), the
assignment letters, deactivation and reactivation, the audit log.

Web requests go to `web`, an app of its own; the world's users send their API tokens,
the sysadmin is the test server's REMOTE_USER.
"""
from __future__ import annotations

import io
import os
import re
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage

from ckanext.verifikasi import localtime, roles
from ckanext.verifikasi.model import AuditEntry, Role
from ckanext.verifikasi.model.account_letter import AccountLetter

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
NEW_PASSWORD = "Sawah-Hijau-Tengger-4821"
TODAY = localtime.today().isoformat()
#: Everyone refused besides anonymous visitors, and who is allowed.
REFUSED = ("operator", "verifikator", "surveyor", "other_operator", "other_verifikator",
           "pembina", "walidata_pendukung", "stranger")
ALLOWED = ("walidata", "sysadmin")
_CSRF = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


@pytest.fixture
def web(make_app):
    return make_app()


@pytest.fixture(autouse=True)
def _forget_site_texts():
    """Site texts stored by a test are removed after it: the next test's app would read
    them from the system configuration before its clean_db."""
    yield
    from ckanext.verifikasi import site_texts

    for key in (*site_texts.text_keys(), "ckan.config_update"):
        model.delete_system_info(key)
    model.Session.commit()


def _environ(world, who):
    if who == "sysadmin":
        return {"extra_environ": {"REMOTE_USER": world.users[who]["name"]}}
    return {"headers": {"Authorization": world.users[who]["token"]}} if who else {}


def context(world, who):
    return world.context(who) if who else {"user": "", "ignore_auth": False}


def pdf(content: bytes = PDF, name: str = "surat-tugas.pdf",
        content_type: str = "application/pdf") -> FileStorage:
    return FileStorage(io.BytesIO(content), filename=name, content_type=content_type)


def account_data(world, name="budi-dinkes", **fields):
    return {"name": name, "fullname": "Budi Santoso", "email": f"{name}@contoh.go.id",
            "role": "operator", "organization": world.opd["id"],
            "letter_number": "800/12/424.208/2026", "letter_date": TODAY, **fields}


def create(world, who="walidata", **fields):
    return call_action("verifikasi_account_create", context(world, who),
                       **account_data(world, **fields))


def audit_actions(object_id):
    model.Session.expire_all()
    return [a for (a,) in model.Session.execute(sa.select(AuditEntry.action).where(
        AuditEntry.object_id == object_id).order_by(AuditEntry.id))]


def reset_link(mailbox, address):
    message = mailbox.to(address)[-1]
    return re.search(r"(http\S+/user/reset/\S+\?key=\w+)", message.get_content()).group(1)


def login(client, name, password):
    page = client.get("/en/user/login")
    token = _CSRF.search(page.get_data(as_text=True)).group(1)
    client.post("/en/user/login", data={"login": name, "password": password,
                                        "_csrf_token": token}, follow_redirects=False)
    return client.get("/en/dashboard/datasets", follow_redirects=False).status_code == 200


# Create and activate

def test_walidata_creates_an_account_the_user_activates_it(world, smtp_server, make_app):
    account = call_action("verifikasi_account_create", world.context("walidata"),
                          **account_data(world), letter_upload=pdf())
    assert account["state"] == "pending"
    assert [(r["role"], r["organization_id"]) for r in account["roles"]] == \
        [("operator", world.opd["id"])]
    [letter] = account["letters"]
    assert letter["number"] == "800/12/424.208/2026" and letter["has_file"]
    assert letter["event"] == "create" and letter["letter_date"] == TODAY
    user = model.User.get("budi-dinkes")
    assert user.password is None and roles.roles_of(user.id).has("operator", world.opd["id"])
    # CKAN's membership follows the role; the walidata never saw a password.
    assert "audit" not in account and "password" not in account
    assert audit_actions(user.id) == ["account_create", "role_assign"]
    entry = model.Session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "account_create")).one()
    assert entry.actor == world.users["walidata"]["id"]
    assert entry.detail["letter_number"] == "800/12/424.208/2026"

    # The e-mail: CKAN's reset link; the user cannot sign in before using it.
    [message] = smtp_server.to("budi-dinkes@contoh.go.id")
    link = reset_link(smtp_server, "budi-dinkes@contoh.go.id")
    assert link.startswith(tk.config["ckan.site_url"].rstrip("/") + "/user/reset/")
    assert user.id in link
    path = urlsplit(link).path + "?" + urlsplit(link).query
    app = make_app()
    client = app.test_client(use_cookies=True)
    assert not login(client, "budi-dinkes", NEW_PASSWORD)

    form_page = client.get(path)
    assert form_page.status_code == 200
    token = _CSRF.search(form_page.get_data(as_text=True)).group(1)
    # The password policy applies: a weak one is refused, the account stays pending.
    weak = client.post(path, data={"password1": "budi12345", "password2": "budi12345",
                                   "_csrf_token": token})
    assert weak.status_code == 200
    model.Session.expire_all()
    assert model.User.get("budi-dinkes").state == "pending"
    done = client.post(path, data={"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                   "_csrf_token": token}, follow_redirects=False)
    assert done.status_code == 302, done.get_data(as_text=True)[:1000]
    model.Session.expire_all()
    user = model.User.get("budi-dinkes")
    assert user.state == "active" and user.validate_password(NEW_PASSWORD)
    # The link works once.
    assert client.get(path).status_code == 403
    assert login(app.test_client(use_cookies=True), "budi-dinkes", NEW_PASSWORD)


def test_a_letter_is_stored_outside_the_public_folder_and_sent_only_to_walidata(
        world, smtp_server, web):
    account = create(world, letter_upload=pdf())
    letter = model.Session.scalars(sa.select(AccountLetter)).one()
    storage = os.path.realpath(world_storage())
    path = os.path.join(storage, "verifikasi_surat_tugas", letter.file_name)
    with open(path, "rb") as stored:
        assert stored.read() == PDF
    # CKAN serves <storage>/storage/ to everyone; the letter is not there.
    assert not any(letter.file_name in files
                   for _, _, files in os.walk(os.path.join(storage, "storage")))
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", letter.file_name)
    url = f"/verifikasi/akun/surat/{account['letters'][0]['id']}"
    for who in ALLOWED:
        res = web.get(url, **_environ(world, who))
        assert res.status_code == 200 and res.data == PDF, who
        assert res.headers["Content-Type"] == "application/pdf"
        assert res.headers["Content-Disposition"].startswith("attachment")
    for who in REFUSED:
        assert web.get(url, **_environ(world, who)).status_code == 403, who
    assert web.get(url, follow_redirects=False).status_code == 302  # to the login form
    assert web.get("/verifikasi/akun/surat/99999", **_environ(world, "walidata")) \
        .status_code == 404


def world_storage():
    from ckan.lib.uploader import get_storage_path

    return get_storage_path()


@pytest.mark.parametrize("fields,field", [
    ({"name": ""}, "name"),
    ({"name": "Budi Santoso!"}, "name"),
    ({"email": "bukan-email"}, "email"),
    ({"fullname": ""}, "fullname"),
    ({"role": "raja"}, "role"),
    ({"organization": "tidak-ada"}, "organization"),
    ({"organization": ""}, "organization"),  # an OPD role without its OPD
    ({"letter_number": ""}, "letter_number"),
    ({"letter_date": "2999-01-01"}, "letter_date"),
    ({"letter_date": "kemarin"}, "letter_date"),
    ({"letter_upload": pdf(b"<html><script>alert(1)</script></html>", "surat.pdf")},
     "letter_upload"),
    ({"letter_upload": pdf(b"MZ\x90\x00", "surat.exe", "application/octet-stream")},
     "letter_upload"),
    ({"letter_upload": "bukan-berkas"}, "letter_upload"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(world, smtp_server,
                                                                     fields, field):
    with pytest.raises(Exception) as err:
        create(world, **fields)
    assert err.typename == "ValidationError", err.value
    assert field in err.value.error_dict, err.value.error_dict
    model.Session.rollback()
    assert model.User.get("budi-dinkes") is None
    assert model.Session.scalars(sa.select(AccountLetter)).first() is None
    assert not smtp_server.messages


def test_a_name_or_email_already_used_is_refused(world, smtp_server):
    create(world)  # pending
    for fields, field in (({"email": "lain@contoh.go.id"}, "name"),
                          ({"name": "budi-lain", "email": "budi-dinkes@contoh.go.id"}, "email"),
                          ({"name": "budi-lain", "email": "BUDI-DINKES@contoh.go.id"}, "email"),
                          ({"name": "budi-lain", "email": world.users["operator"]["email"]},
                           "email")):
        with pytest.raises(Exception) as err:
            call_action("verifikasi_account_create", world.context("walidata"),
                        **account_data(world, **fields))
        assert err.typename == "ValidationError" and field in err.value.error_dict, fields
    model.Session.rollback()
    assert model.User.get("budi-lain") is None


def letter_files():
    folder = os.path.join(world_storage(), "verifikasi_surat_tugas")
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


@pytest.mark.ckan_config("ckanext.verifikasi.letter_max_mb", "1")
def test_a_letter_larger_than_the_limit_is_refused(world, smtp_server):
    before = letter_files()
    big = PDF + b"0" * (1024 * 1024 + 10)
    with pytest.raises(Exception) as err:
        create(world, letter_upload=pdf(big))
    assert "letter_upload" in err.value.error_dict
    model.Session.rollback()
    assert model.User.get("budi-dinkes") is None
    assert letter_files() == before


def test_when_the_email_cannot_be_sent_nothing_is_saved(world):
    # No SMTP server listens: the walidata is told, and no half-made account stays.
    before = letter_files()
    with pytest.raises(Exception) as err:
        create(world, letter_upload=pdf())
    assert err.typename == "ValidationError" and "email" in err.value.error_dict
    model.Session.rollback()
    assert model.User.get("budi-dinkes") is None
    assert model.Session.scalars(sa.select(AccountLetter)).first() is None
    assert letter_files() == before


def test_a_walidata_account_needs_no_opd(world, smtp_server):
    account = create(world, role="walidata", organization="")
    assert [(r["role"], r["organization_id"]) for r in account["roles"]] == [("walidata", None)]


# Deactivate and reactivate

def test_deactivated_user_cannot_sign_in_or_use_a_token(world, smtp_server, make_app):
    operator = world.users["operator"]
    app = make_app()
    assert app.get("/api/3/action/verifikasi_queue_list",
                   headers={"Authorization": operator["token"]}).status_code == 200
    session = app.test_client(use_cookies=True)
    assert login(session, operator["name"], world_password())

    result = call_action("verifikasi_account_deactivate", world.context("walidata"),
                         id=operator["name"], reason="Pindah tugas")
    assert result["state"] == "deleted" and result["roles"] == []
    model.Session.expire_all()
    assert not model.Session.scalars(sa.select(Role).where(
        Role.user_id == operator["id"])).all()
    assert not model.Session.scalars(sa.select(model.ApiToken).where(
        model.ApiToken.user_id == operator["id"])).all()
    assert not model.Session.scalars(sa.select(model.Member).where(
        model.Member.table_id == operator["id"], model.Member.state == "active")).all()
    # The token, the open session and a new login all fail.
    assert app.get("/api/3/action/verifikasi_queue_list",
                   headers={"Authorization": operator["token"]}).status_code == 403
    assert session.get("/en/dashboard/datasets", follow_redirects=False).status_code != 200
    assert not login(app.test_client(use_cookies=True), operator["name"], world_password())
    assert audit_actions(operator["id"])[-2:] == ["account_deactivate", "role_revoke"]
    entry = model.Session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "account_deactivate")).one()
    assert entry.detail["reason"] == "Pindah tugas"
    assert entry.detail["revoked_roles"] == [{"role": "operator",
                                             "organization_id": world.opd["id"]}]
    # Twice: refused with a clear error.
    with pytest.raises(Exception) as err:
        call_action("verifikasi_account_deactivate", world.context("walidata"),
                    id=operator["name"])
    assert err.typename == "ValidationError"


def world_password():
    from ckanext.verifikasi.tests.world import PASSWORD

    return PASSWORD


def test_reactivation_needs_a_letter_and_a_new_password(world, smtp_server, make_app):
    operator = world.users["operator"]
    call_action("verifikasi_account_deactivate", world.context("walidata"), id=operator["id"])
    with pytest.raises(Exception) as err:
        call_action("verifikasi_account_reactivate", world.context("walidata"),
                    id=operator["id"], role="verifikator", organization=world.opd["id"])
    assert {"letter_number", "letter_date"} <= set(err.value.error_dict)
    account = call_action("verifikasi_account_reactivate", world.context("walidata"),
                          id=operator["id"], role="verifikator", organization=world.opd["name"],
                          letter_number="800/99/2026", letter_date=TODAY,
                          letter_upload=pdf())
    assert account["state"] == "pending"
    assert [r["role"] for r in account["roles"]] == ["verifikator"]
    assert [(x["event"], x["number"]) for x in account["letters"]] == \
        [("reactivate", "800/99/2026")]
    # The old password no longer opens the account; the e-mail's link does.
    app = make_app()
    assert not login(app.test_client(use_cookies=True), operator["name"], world_password())
    link = reset_link(smtp_server, operator["email"])
    path = urlsplit(link).path + "?" + urlsplit(link).query
    client = app.test_client(use_cookies=True)
    token = _CSRF.search(client.get(path).get_data(as_text=True)).group(1)
    client.post(path, data={"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                            "_csrf_token": token})
    model.Session.expire_all()
    assert model.User.get(operator["id"]).state == "active"
    assert login(app.test_client(use_cookies=True), operator["name"], NEW_PASSWORD)
    assert "account_reactivate" in audit_actions(operator["id"])


def test_a_new_activation_email_replaces_the_old_link(world, smtp_server):
    create(world)
    first = reset_link(smtp_server, "budi-dinkes@contoh.go.id")
    call_action("verifikasi_account_activation_send", world.context("walidata"),
                id="budi-dinkes")
    second = reset_link(smtp_server, "budi-dinkes@contoh.go.id")
    assert first != second
    model.Session.expire_all()
    assert model.User.get("budi-dinkes").reset_key == second.rsplit("key=", 1)[1]
    # An active account gets none.
    with pytest.raises(Exception) as err:
        call_action("verifikasi_account_activation_send", world.context("walidata"),
                    id=world.users["operator"]["name"])
    assert err.typename == "ValidationError"


def test_walidata_cannot_touch_a_sysadmin_or_deactivate_themself(world, smtp_server):
    admin = world.users["sysadmin"]["name"]
    for action in ("verifikasi_account_deactivate", "verifikasi_account_show",
                   "verifikasi_account_activation_send"):
        with pytest.raises(Exception) as err:
            call_action(action, world.context("walidata"), id=admin)
        assert err.typename == "NotAuthorized", action
    with pytest.raises(Exception) as err:
        call_action("verifikasi_account_reactivate", world.context("walidata"), id=admin,
                    role="walidata", letter_number="1", letter_date=TODAY)
    assert err.typename == "NotAuthorized"
    with pytest.raises(Exception) as err:
        call_action("verifikasi_account_deactivate", world.context("walidata"),
                    id=world.users["walidata"]["name"])
    assert err.typename == "ValidationError"
    model.Session.expire_all()
    assert model.User.get(admin).state == "active"
    # A sysadmin may read a sysadmin's account.
    assert call_action("verifikasi_account_show", world.context("sysadmin"),
                       id=admin)["sysadmin"]


# Who may call the actions

def _calls(world):
    op = world.users["operator"]["name"]
    return {
        "verifikasi_account_create": account_data(world, name="baru-lagi"),
        "verifikasi_account_list": {},
        "verifikasi_account_show": {"id": op},
        "verifikasi_account_deactivate": {"id": op},
        "verifikasi_account_reactivate": {"id": op, "role": "operator",
                                          "organization": world.opd["id"],
                                          "letter_number": "1", "letter_date": TODAY},
        "verifikasi_account_activation_send": {"id": op},
        "verifikasi_opd_create": {"name": "dinas-baru", "title": "Dinas Baru"},
        "verifikasi_opd_update": {"id": world.opd["id"], "title": "Dinas Kesehatan Baru"},
        "verifikasi_site_text_show": {},
        "verifikasi_site_text_update": {"ckan.site_about": "Tentang kami"},
    }


@pytest.mark.parametrize("who", ("",) + REFUSED)
def test_only_walidata_and_sysadmin_may_call_the_actions(world, smtp_server, who):
    for action, data in _calls(world).items():
        with pytest.raises(Exception) as err:
            call_action(action, context(world, who), **data)
        assert err.typename == "NotAuthorized", (who, action, err.value)
    assert model.User.get("baru-lagi") is None and not smtp_server.messages
    assert not model.Session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action.in_(["account_create", "opd_create", "site_text_update"]))).first()


@pytest.mark.parametrize("who", ALLOWED)
def test_walidata_and_sysadmin_may_call_the_actions(world, smtp_server, who):
    calls = _calls(world)
    for action in ("verifikasi_account_create", "verifikasi_account_list",
                   "verifikasi_account_show", "verifikasi_account_deactivate",
                   "verifikasi_account_reactivate", "verifikasi_opd_create",
                   "verifikasi_opd_update", "verifikasi_site_text_show",
                   "verifikasi_site_text_update"):
        call_action(action, context(world, who), **calls[action])
    call_action("verifikasi_account_activation_send", context(world, who), id="baru-lagi")
    actor = world.users[who]["id"]
    model.Session.expire_all()
    done = {a for (a,) in model.Session.execute(sa.select(AuditEntry.action).where(
        AuditEntry.actor == actor))}
    assert {"account_create", "account_deactivate", "account_reactivate",
            "account_activation_send", "opd_create", "opd_update",
            "site_text_update"} <= done


# List

def test_the_list_filters_by_opd_role_and_status(world, smtp_server):
    create(world)
    walidata = world.context("walidata")
    names = {a["name"] for a in call_action("verifikasi_account_list", walidata,
                                            organization=world.opd["name"])["results"]}
    holders = {u for (u,) in model.Session.execute(sa.select(model.User.name).join(
        Role, Role.user_id == model.User.id).where(Role.organization_id == world.opd["id"]))}
    assert names == holders and {"budi-dinkes", world.users["operator"]["name"]} <= names
    assert world.users["other_operator"]["name"] not in names
    pending = call_action("verifikasi_account_list", walidata, state="pending")
    assert [a["name"] for a in pending["results"]] == ["budi-dinkes"] and pending["count"] == 1
    found = call_action("verifikasi_account_list", walidata, role="verifikator",
                        organization=world.other_opd["id"])
    assert [a["name"] for a in found["results"]] == [world.users["other_verifikator"]["name"]]
    assert call_action("verifikasi_account_list", walidata, q="BUDI")["count"] == 1
    assert call_action("verifikasi_account_list", walidata, limit=2)["count"] > 2
    site_user = call_action("get_site_user", {"ignore_auth": True})["name"]
    everyone = call_action("verifikasi_account_list", walidata, limit=1000)["results"]
    assert site_user not in {a["name"] for a in everyone}
    for bad in ({"state": "hapus"}, {"role": "raja"}, {"organization": "tidak-ada"},
                {"limit": "banyak"}):
        with pytest.raises(Exception) as err:
            call_action("verifikasi_account_list", walidata, **bad)
        assert err.typename == "ValidationError" and set(bad) <= set(err.value.error_dict)


# OPDs

def test_walidata_creates_and_renames_an_opd(world):
    created = call_action("verifikasi_opd_create", world.context("walidata"),
                          name="dinas-pertanian", title="Dinas Pertanian")
    org = model.Group.get("dinas-pertanian")
    assert org.is_organization and org.title == "Dinas Pertanian"
    # The walidata did not become a CKAN admin of it.
    assert not model.Session.scalars(sa.select(model.Member).where(
        model.Member.group_id == org.id,
        model.Member.table_id == world.users["walidata"]["id"])).first()
    updated = call_action("verifikasi_opd_update", world.context("walidata"),
                          id="dinas-pertanian", title="Dinas Pertanian dan Pangan")
    assert updated["title"] == "Dinas Pertanian dan Pangan" and updated["name"] == "dinas-pertanian"
    assert audit_actions(created["id"]) == ["opd_create", "opd_update"]
    with pytest.raises(Exception) as err:
        call_action("verifikasi_opd_create", world.context("walidata"),
                    name="dinas-pertanian", title="Lagi")
    assert "name" in err.value.error_dict
    with pytest.raises(Exception) as err:
        call_action("verifikasi_opd_update", world.context("walidata"),
                    id="dinas-pertanian", title="")
    assert "title" in err.value.error_dict
    with pytest.raises(Exception) as err:
        call_action("verifikasi_opd_update", world.context("walidata"), id="tidak-ada",
                    title="X")
    assert err.typename in ("ObjectNotFound", "NotFound")


# Site texts

def test_walidata_edits_the_site_texts(world, web):
    office = "Diskominfo Kabupaten Pasuruan (Bidang Statistik)"
    result = call_action("verifikasi_site_text_update", world.context("walidata"), **{
        "ckan.site_about": "Portal resmi data Kabupaten Pasuruan.",
        "ckanext.satudata.contact_office": office})
    assert result["ckan.site_about"] == "Portal resmi data Kabupaten Pasuruan."
    assert model.get_system_info("ckanext.satudata.contact_office") == office
    assert office in web.get("/kontak").get_data(as_text=True)
    entry = model.Session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "site_text_update")).one()
    assert entry.detail["keys"] == ["ckan.site_about", "ckanext.satudata.contact_office"]
    # Only the site texts; each checked.
    for bad, field in (({"ckan.site_title": "Lain"}, "ckan.site_title"),
                       ({"ckan.auth.create_user_via_web": "true"},
                        "ckan.auth.create_user_via_web"),
                       ({"ckanext.satudata.contact_email": "bukan-email"},
                        "ckanext.satudata.contact_email"),
                       ({"ckanext.satudata.contact_office": "  "},
                        "ckanext.satudata.contact_office")):
        with pytest.raises(Exception) as err:
            call_action("verifikasi_site_text_update", world.context("walidata"), **bad)
        assert err.typename == "ValidationError" and field in err.value.error_dict
    assert model.get_system_info("ckan.site_title") is None


# Pages

PAGES = ("/verifikasi/akun", "/verifikasi/akun/baru", "/verifikasi/akun/{operator}",
         "/verifikasi/opd", "/verifikasi/teks-situs",
         "/verifikasi/akun?organization={opd}&role=operator&state=active")


@pytest.mark.parametrize("who", ("",) + REFUSED + ALLOWED)
def test_pages_by_role(world, web, who):
    for url in PAGES:
        url = url.format(operator=world.users["operator"]["name"], opd=world.opd["name"])
        res = web.get(url, follow_redirects=False, **_environ(world, who))
        expected = 302 if not who else 200 if who in ALLOWED else 403
        assert res.status_code == expected, (who, url, res.status_code)
        if not who:
            assert "/user/login" in res.headers["Location"]
    posts = {
        "/verifikasi/akun/baru": account_data(world, name="lewat-web"),
        f"/verifikasi/akun/{world.users['operator']['name']}/nonaktifkan": {},
        f"/verifikasi/akun/{world.users['operator']['name']}/aktifkan": {},
        f"/verifikasi/akun/{world.users['operator']['name']}/kirim-aktivasi": {},
        "/verifikasi/opd/baru": {"name": "dinas-web", "title": "Dinas Web"},
        f"/verifikasi/opd/{world.opd['id']}/ubah": {"title": "Diubah"},
        "/verifikasi/teks-situs": {"ckan.site_about": "Diubah"},
    }
    if who in ALLOWED:
        return
    for url, data in posts.items():
        res = web.post(url, data=data, follow_redirects=False, **_environ(world, who))
        assert res.status_code in ((302,) if not who else (403,)), (who, url, res.status_code)
    model.Session.expire_all()
    assert model.User.get("lewat-web") is None and model.Group.get("dinas-web") is None
    assert model.User.get(world.users["operator"]["id"]).state == "active"


def test_the_walidata_works_through_the_pages(world, smtp_server, web):
    walidata = _environ(world, "walidata")
    listing = web.get("/verifikasi/akun", **walidata).get_data(as_text=True)
    assert 'id="verifikasi-accounts"' in listing
    assert 'href="/verifikasi/akun/baru"' in listing
    # The menu of the walidata's pages links here; not the operator's.
    assert 'href="/verifikasi/akun"' in web.get("/verifikasi/inbox", **walidata) \
        .get_data(as_text=True)
    assert 'href="/verifikasi/akun"' not in web.get(
        "/verifikasi/inbox", **_environ(world, "operator")).get_data(as_text=True)

    bad = web.post("/verifikasi/akun/baru", data={**account_data(world, name="web-user"),
                                                  "email": "salah"}, **walidata)
    assert bad.status_code == 400 and 'id="field-account-email"' in bad.get_data(as_text=True)
    assert model.User.get("web-user") is None
    done = web.post("/verifikasi/akun/baru", data={
        **account_data(world, name="web-user"),
        "letter_upload": (io.BytesIO(PDF), "surat.pdf", "application/pdf")},
        follow_redirects=False, **walidata)
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/verifikasi/akun/web-user")
    assert len(smtp_server.to("web-user@contoh.go.id")) == 1
    page = web.get("/verifikasi/akun/web-user", **walidata).get_data(as_text=True)
    assert 'data-state="pending"' in page and "800/12/424.208/2026" in page
    assert "/verifikasi/akun/surat/" in page

    res = web.post("/verifikasi/akun/web-user/nonaktifkan", data={"reason": "Salah buat"},
                   follow_redirects=False, **walidata)
    assert res.status_code == 302
    model.Session.expire_all()
    assert model.User.get("web-user").state == "deleted"
    res = web.post("/verifikasi/akun/web-user/aktifkan", data={"role": "operator"}, **walidata)
    assert res.status_code == 400
    body = res.get_data(as_text=True)
    assert 'id="verifikasi-account-reactivate"' in body and "error-block" in body

    res = web.post("/verifikasi/opd/baru", data={"name": "dinas-web", "title": "Dinas Web"},
                   follow_redirects=False, **walidata)
    assert res.status_code == 302 and model.Group.get("dinas-web").title == "Dinas Web"
    res = web.post("/verifikasi/teks-situs", data={"ckanext.satudata.contact_phone": "(0343) 1"},
                   follow_redirects=False, **walidata)
    assert res.status_code == 302
    assert model.get_system_info("ckanext.satudata.contact_phone") == "(0343) 1"
    res = web.post("/verifikasi/teks-situs", data={"ckanext.satudata.contact_email": "x"},
                   **walidata)
    assert res.status_code == 400 and "verifikasi-text-error" in res.get_data(as_text=True)


def test_the_api_takes_the_letter_as_a_multipart_upload(world, smtp_server, web):
    res = web.post("/api/3/action/verifikasi_account_create", data={
        **account_data(world, name="lewat-api"),
        "letter_upload": (io.BytesIO(PDF), "surat.pdf", "application/pdf")},
        headers={"Authorization": world.users["walidata"]["token"]})
    assert res.status_code == 200, res.get_data(as_text=True)[:1000]
    result = res.json["result"]
    assert result["state"] == "pending" and result["letters"][0]["has_file"]
    # An HTML file named .pdf: 409 naming the field, nothing stored.
    res = web.post("/api/3/action/verifikasi_account_create", data={
        **account_data(world, name="lewat-api-2"),
        "letter_upload": (io.BytesIO(b"<html><body>x</body></html>"), "surat.pdf",
                          "application/pdf")},
        headers={"Authorization": world.users["walidata"]["token"]})
    assert res.status_code == 409 and "letter_upload" in res.json["error"]
    assert model.User.get("lewat-api-2") is None
    # The audit page offers the new actions and finds the entry.
    page = web.get("/verifikasi/audit?action=account_create", **_environ(world, "walidata"))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="account_create"' in body
    assert "Budi Santoso" in body  # the account, by its full name


def test_the_account_list_pages_keep_their_filters(world, web, monkeypatch):
    from ckanext.verifikasi import account_pages

    monkeypatch.setattr(account_pages, "PAGE_SIZE", 2)
    environ = _environ(world, "walidata")
    first = web.get("/verifikasi/akun?state=active", **environ).get_data(as_text=True)
    assert re.search(r'href="[^"]*/verifikasi/akun\?[^"]*page=2', first)
    assert "state=active" in re.search(r'href="([^"]*page=2[^"]*)"', first).group(1)
    second = web.get("/verifikasi/akun?state=active&page=2", **environ).get_data(as_text=True)
    assert re.search(r'href="[^"]*/verifikasi/akun\?[^"]*page=1', second)
