"""The `satudata` plugin: SDI schema logic, search, look, language, configuration and CLI."""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation
from ckan.types import Schema
from ckanext.datastore.interfaces import IDataDictionaryForm

from ckanext.satudata import cli, helpers, public_explore, public_latest, search, verification
from ckanext.satudata.daftar import action as daftar_action
from ckanext.satudata.daftar import auth as daftar_auth
from ckanext.satudata.daftar import pages as daftar_pages
from ckanext.satudata.daftar import release as daftar_release
from ckanext.satudata.daftar import views as daftar_views
from ckanext.satudata.exports import satudata_export
from ckanext.satudata.integrasi import action as integrasi_action
from ckanext.satudata.integrasi import auth as integrasi_auth
from ckanext.satudata.integrasi import cli as integrasi_cli  # noqa: F401 - adds its commands
from ckanext.satudata.integrasi import views as integrasi_views
from ckanext.satudata.keamanan import account_views as keamanan_account
from ckanext.satudata.keamanan import action as keamanan_action
from ckanext.satudata.keamanan import auth as keamanan_auth
from ckanext.satudata.keamanan import csrf as keamanan_csrf
from ckanext.satudata.keamanan import headers as keamanan_headers
from ckanext.satudata.keamanan import login as keamanan_login
from ckanext.satudata.keamanan import password as keamanan_password
from ckanext.satudata.keamanan import twofactor_action, twofactor_auth, twofactor_login
from ckanext.satudata.keamanan import twofactor_views as keamanan_twofactor
from ckanext.satudata.kpi import action as kpi_action
from ckanext.satudata.kpi import auth as kpi_auth
from ckanext.satudata.kpi import views as kpi_views
from ckanext.satudata.laporan import action as laporan_action
from ckanext.satudata.laporan import auth as laporan_auth
from ckanext.satudata.laporan import pages as laporan_pages
from ckanext.satudata.logic import action, auth, validators
from ckanext.satudata.monitoring import action as monitoring_action
from ckanext.satudata.monitoring import auth as monitoring_auth
from ckanext.satudata.monitoring import pages as monitoring_pages
from ckanext.satudata.openapi import views as openapi_views
from ckanext.satudata.permohonan import action as permohonan_action
from ckanext.satudata.permohonan import auth as permohonan_auth
from ckanext.satudata.permohonan import views as permohonan_views
from ckanext.satudata.pii import action as pii_action
from ckanext.satudata.pii import auth as pii_auth
from ckanext.satudata.pii import gate as pii_gate
from ckanext.satudata.pii import paths as pii_paths
from ckanext.satudata.pii import views as pii_views
from ckanext.satudata.public_pages import satudata_public
from ckanext.satudata.quality import action as quality_action
from ckanext.satudata.quality import auth as quality_auth
from ckanext.satudata.quality import jobs as quality_jobs
from ckanext.satudata.quality import pages as quality_pages
from ckanext.satudata.resource_form import satudata_resource_form
from ckanext.satudata.sitemap import satudata_sitemap
from ckanext.satudata.statistik import action as statistik_action
from ckanext.satudata.statistik import auth as statistik_auth
from ckanext.satudata.statistik import views as statistik_views

PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: Modules that add their views to the satudata_public blueprint (imported for that).
PUBLIC_VIEW_MODULES = (public_explore, public_latest, daftar_views, permohonan_views,
                       statistik_views, kpi_views)


def _members(*modules: Any) -> dict[str, Any]:
    """The `__all__` functions of these modules (the blanket of several modules)."""
    return {name: getattr(m, name) for m in modules for name in m.__all__}


def _overrides(endpoint: str) -> bool:
    """Whether this endpoint's view replaces other views on the same URL."""
    blueprint, _, name = endpoint.rpartition(".")
    return name in ("scheming_new", "scheming_edit") or blueprint == satudata_public.name


@tk.blanket.config_declarations(str(PACKAGE_DIR / "config_declaration.yaml"))
@tk.blanket.cli(cli.get_commands)
@tk.blanket.helpers(helpers.get_helpers)
@tk.blanket.actions(lambda: _members(action, daftar_action, kpi_action, laporan_action,
                                     statistik_action, permohonan_action,
                                     keamanan_action, twofactor_action, quality_action,
                                     monitoring_action, pii_action, pii_paths,
                                     integrasi_action))
@tk.blanket.auth_functions(lambda: _members(auth, daftar_auth, kpi_auth, laporan_auth,
                                            statistik_auth, permohonan_auth,
                                            keamanan_auth, twofactor_auth, quality_auth,
                                            monitoring_auth, pii_auth, integrasi_auth))
# The password policy replaces core's `user_password_validator` in every user schema.
@tk.blanket.validators(lambda: {
    **_members(validators),
    "user_password_validator": keamanan_password.user_password_validator})
@tk.blanket.blueprints([satudata_public, satudata_export, satudata_sitemap,
                        satudata_resource_form,
                        daftar_pages.satudata_daftar, quality_pages.satudata_quality,
                        monitoring_pages.satudata_monitoring,
                        laporan_pages.satudata_laporan,
                        keamanan_headers.satudata_keamanan,
                        keamanan_password.satudata_password,
                        keamanan_csrf.satudata_csrf,
                        keamanan_twofactor.satudata_twofactor,
                        openapi_views.satudata_openapi,
                        integrasi_views.satudata_integrasi,
                        keamanan_account.satudata_account_security, pii_views.satudata_pii])
class SatudataPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(IDataDictionaryForm, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.ISignal)
    p.implements(p.IAuthenticator, inherit=True)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "../templates")
        tk.add_public_directory(config, "../public")
        tk.add_resource("../assets", "satudata")

    # ITranslation

    def i18n_directory(self) -> str:
        return str(PACKAGE_DIR / "i18n")

    def i18n_domain(self) -> str:
        return "ckanext-satudata"

    # IFacets

    def dataset_facets(self, facets_dict: OrderedDict, package_type: str) -> OrderedDict:
        return search.facet_titles()

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return search.prepare_index(pkg_dict)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        search.label_facets(search_results, "dataset")
        return search_results

    # IMiddleware

    def make_middleware(self, app: Any, config: tk.CKANConfig) -> Any:
        # ckanext-scheming 3.1 adds its form-page views under the same URLs as
        # core's dataset.new / dataset.edit (and ckanext-dcat adds its own
        # /dataset/new), and Flask routes to whichever came first, which skips
        # the MS-Keg pages; the portal's own public pages replace core's home
        # and about pages the same way. Every endpoint on those URLs gets the
        # overriding view.
        if not hasattr(app, "url_map"):
            return app
        rules = list(app.url_map.iter_rules())
        urls_of: dict[str, set[str]] = {}
        for rule in rules:
            urls_of.setdefault(rule.endpoint, set()).add(rule.rule)
        for rule in rules:
            if not _overrides(rule.endpoint):
                continue
            view = app.view_functions[rule.endpoint]
            for other in rules:
                # An endpoint that also serves other URLs keeps its view there
                # (ckanext-dcat's read_catalog serves / and /catalog.<format>;
                # the home page hands RDF requests to it).
                if (other.rule == rule.rule and other.endpoint != rule.endpoint
                        and urls_of[other.endpoint] == {rule.rule}):
                    app.view_functions[other.endpoint] = view
        return app

    # ISignal

    def get_signal_subscriptions(self) -> dict[Any, list[Any]]:
        # The Daftar Data's actual release dates follow verifikasi's publications.
        published = verification.published_signal()
        subscriptions: dict[Any, list[Any]] = {
            # Login throttling counts failures and resets them on success.
            tk.signals.failed_login: [keamanan_login.on_failed_login],
            tk.signals.user_logged_in: [keamanan_login.on_logged_in],
            # Metadata quality: a dataset changed (after the commit), scored in a job.
            tk.signals.action_succeeded: [quality_jobs.on_action],
        }
        if published is not None:
            subscriptions[published] = [daftar_release.on_published, quality_jobs.on_published]
        # Personal data gate: submitting and publishing are refused while it finds some.
        subscriptions[pii_gate.signal()] = [pii_gate.on_before_transition]
        return subscriptions

    # IAuthenticator

    def login(self) -> Any:
        # A locked account (or IP address) is refused before its password is checked;
        # an account with a second factor is not logged in by its password alone.
        return keamanan_login.before_login() or twofactor_login.password_step()

    def logout(self) -> Any:
        # The session forgets that it passed the second factor.
        twofactor_login.on_logout()
        return None

    # IDataDictionaryForm

    def update_datastore_create_schema(self, schema: Schema) -> Schema:
        fields: Any = schema["fields"]
        fields["info"] = [*fields["info"], tk.get_validator("satudata_ms_var_info")]
        return schema
