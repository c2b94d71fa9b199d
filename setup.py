"""Portal Satu Data Kabupaten Pasuruan: the CKAN extension suite.

`pip install -e .` installs both extension packages, ckanext-satudata (what the
portal is about) and ckanext-verifikasi (who may see and change what), and
registers every plugin with CKAN.
"""
from setuptools import setup

PACKAGE_ROOTS = {
    "ckanext.satudata": "ckanext-satudata/ckanext/satudata",
    "ckanext.verifikasi": "ckanext-verifikasi/ckanext/verifikasi",
}


def _subpackages(package: str, root: str) -> list[str]:
    """Return `package` and every sub-package below its source folder."""
    import os

    found = []
    for dirpath, _dirnames, filenames in os.walk(root):
        if "__init__.py" in filenames:
            rel = os.path.relpath(dirpath, root)
            found.append(package if rel == "." else f"{package}.{rel.replace(os.sep, '.')}")
    return sorted(found)


def _data_files(root: str) -> list[str]:
    """Every file below `root` that is not a package's module, relative to it.

    Listed one by one rather than by pattern so that a data file added in a
    sub-package (e.g. loader/config_declaration.yaml) is never left out of a
    regular wheel.
    """
    import os

    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        # Python files outside a package (alembic's env.py and versions/) are
        # data to setuptools: without this the wheel has no migrations.
        in_package = "__init__.py" in filenames
        for name in filenames:
            if name.endswith(".pyc") or (in_package and name.endswith(".py")):
                continue
            found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(found)


setup(
    name="ckanext-satudata-pasuruan",
    version="0.1.0",
    description="Satu Data Indonesia portal of Kabupaten Pasuruan on CKAN 2.11",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=[p for pkg, root in PACKAGE_ROOTS.items() for p in _subpackages(pkg, root)],
    package_dir=PACKAGE_ROOTS,
    include_package_data=True,
    package_data={pkg: _data_files(root) for pkg, root in PACKAGE_ROOTS.items()},
    zip_safe=False,
    entry_points={
        "ckan.plugins": [
            "satudata = ckanext.satudata.plugin:SatudataPlugin",
            "satudata_tracking = ckanext.satudata.plugin:SatudataTrackingPlugin",
            "satudata_loader = ckanext.satudata.plugin.loader:SatudataLoaderPlugin",
            "satudata_harvest = ckanext.satudata.plugin.harvest:SatudataHarvestPlugin",
            "satudata_locale = ckanext.satudata.plugin:SatudataLocalePlugin",
            "satudata_input = ckanext.satudata.plugin:SatudataInputPlugin",
            "satudata_chart_view = ckanext.satudata.plugin.resource_views:SatudataChartViewPlugin",
            "satudata_map_view = ckanext.satudata.plugin.resource_views:SatudataMapViewPlugin",
            "verifikasi = ckanext.verifikasi.plugin:VerifikasiPlugin",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
        "ckan.rdf.profiles": [
            "satudata_dcat_ap = ckanext.satudata.dcat.profile:SatudataDCATAPProfile",
        ],
    },
    message_extractors={
        "ckanext-satudata/ckanext/satudata": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("templates/**.html", "ckan", None),
        ],
        "ckanext-verifikasi/ckanext/verifikasi": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("templates/**.html", "ckan", None),
        ],
    },
)
