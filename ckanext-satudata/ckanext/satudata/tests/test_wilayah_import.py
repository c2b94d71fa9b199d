"""`ckan satudata wilayah import`: the official desa/kelurahan list, checked, then upserted."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan

from ckanext.satudata import wilayah, wilayah_import
from ckanext.satudata.model import KodeWilayah

PACKAGE_DIR = Path(__file__).resolve().parent.parent

HEADER = "kode_kemendagri,kode_bps,nama,jenis"
VALID = [
    HEADER,
    "35.14.01,,Purwodadi,kecamatan",
    "35.14.01.2002,3514010002,Gajahrejo,desa",
    "35.14.01.2001,3514010001,Dawuhansengon,desa",
    "35.14.01.2003,,Tambaksari,desa",
    "35.14.14.1001,3514150001,Kidul Dalem,kelurahan",
    '35.14.14.1002,3514150002,"Kauman",kelurahan',
]


def _write(tmp_path: Path, lines: list[str], name: str = "wilayah.csv", **kwargs) -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", **kwargs)
    return str(path)


def _import(cli, path: str):
    return cli.invoke(ckan, ["satudata", "wilayah", "import", path])


def _table() -> list[tuple]:
    stmt = sa.select(
        KodeWilayah.kode_kemendagri, KodeWilayah.kode_bps, KodeWilayah.nama,
        KodeWilayah.jenis, KodeWilayah.induk,
    ).order_by(KodeWilayah.kode_kemendagri)
    return [tuple(row) for row in model.Session.execute(stmt)]


def _problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Baris ")]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestValidFile:
    def test_imports_every_row_with_its_parent(self, cli, tmp_path):
        result = _import(cli, _write(tmp_path, VALID))

        assert result.exit_code == 0, result.output
        assert ("Baris dibaca: 6, ditambahkan: 6, diperbarui: 0, tidak berubah: 0"
                in result.output)
        assert _table() == [
            ("35.14.01", "3514010", "Purwodadi", "kecamatan", "35.14"),
            ("35.14.01.2001", "3514010001", "Dawuhansengon", "desa", "35.14.01"),
            ("35.14.01.2002", "3514010002", "Gajahrejo", "desa", "35.14.01"),
            ("35.14.01.2003", None, "Tambaksari", "desa", "35.14.01"),
            ("35.14.14.1001", "3514150001", "Kidul Dalem", "kelurahan", "35.14.14"),
            ("35.14.14.1002", "3514150002", "Kauman", "kelurahan", "35.14.14"),
        ]

    def test_reimport_changes_nothing(self, cli, tmp_path):
        path = _write(tmp_path, VALID)
        assert _import(cli, path).exit_code == 0
        before = _table()

        result = _import(cli, path)

        assert result.exit_code == 0, result.output
        assert ("Baris dibaca: 6, ditambahkan: 0, diperbarui: 0, tidak berubah: 6"
                in result.output)
        assert _table() == before

    def test_changed_name_updates_and_nothing_is_deleted(self, cli, tmp_path):
        assert _import(cli, _write(tmp_path, VALID)).exit_code == 0
        before = _table()

        result = _import(cli, _write(tmp_path, [
            HEADER,
            "35.14.01.2001,3514010001,Dawuhan Sengon,desa",
            "35.14.01.2004,3514010004,Sumberrejo,desa",
        ], name="perubahan.csv"))

        assert result.exit_code == 0, result.output
        assert ("Baris dibaca: 2, ditambahkan: 1, diperbarui: 1, tidak berubah: 0"
                in result.output)
        after = _table()
        assert ("35.14.01.2001", "3514010001", "Dawuhan Sengon", "desa", "35.14.01") in after
        assert ("35.14.01.2004", "3514010004", "Sumberrejo", "desa", "35.14.01") in after
        assert len(after) == len(before) + 1

    def test_bps_codes_can_swap_between_listed_regions(self, cli, tmp_path):
        assert _import(cli, _write(tmp_path, VALID)).exit_code == 0

        result = _import(cli, _write(tmp_path, [
            HEADER,
            "35.14.01.2001,3514010002,Dawuhansengon,desa",
            "35.14.01.2002,3514010001,Gajahrejo,desa",
        ], name="tukar.csv"))

        assert result.exit_code == 0, result.output
        assert "diperbarui: 2" in result.output
        rows = {kode: bps for kode, bps, *_ in _table()}
        assert rows["35.14.01.2001"] == "3514010002"
        assert rows["35.14.01.2002"] == "3514010001"

    def test_semicolons_bom_and_crlf(self, cli, tmp_path):
        lines = [line.replace(",", ";") for line in VALID]
        path = tmp_path / "excel.csv"
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))

        result = _import(cli, str(path))

        assert result.exit_code == 0, result.output
        assert "ditambahkan: 6" in result.output
        assert ("35.14.14.1002", "3514150002", "Kauman", "kelurahan", "35.14.14") in _table()

    def test_extra_columns_and_blank_lines_are_ignored(self, cli, tmp_path):
        result = _import(cli, _write(tmp_path, [
            "Kode_Kemendagri,Nama,Jenis,Jumlah_Penduduk",
            "35.14.01.2001,Dawuhansengon,Desa,4312",
            "",
            "35.14.01.2002,Gajahrejo,desa,",
        ]))

        assert result.exit_code == 0, result.output
        assert [row[:4] for row in _table()] == [
            ("35.14.01.2001", None, "Dawuhansengon", "desa"),
            ("35.14.01.2002", None, "Gajahrejo", "desa"),
        ]

    def test_desa_of_a_kecamatan_in_one_query(self, cli, tmp_path):
        assert _import(cli, _write(tmp_path, VALID)).exit_code == 0
        model.Session.remove()
        statements: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            statements.append(statement)

        sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
        try:
            purwodadi = wilayah.desa("35.14.01")
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)

        assert len([s for s in statements if "satudata_wilayah" in s]) == 1
        assert purwodadi == (
            wilayah.Wilayah("35.14.01.2001", "3514010001", "Dawuhansengon", "desa"),
            wilayah.Wilayah("35.14.01.2002", "3514010002", "Gajahrejo", "desa"),
            wilayah.Wilayah("35.14.01.2003", "", "Tambaksari", "desa"),
        )
        assert [w.jenis for w in wilayah.desa("35.14.14")] == ["kelurahan", "kelurahan"]
        assert wilayah.desa("35.14.02") == ()


BAD = [
    HEADER,
    "35.14.01.2001,3514010001,Dawuhan Sengon,desa",  # valid, renamed: must not be written
    "35.15.01.2001,,Sukorejo,desa",
    "35.14.25.2001,,Entah,desa",
    "35.14.01.2001,,Dawuhansengon,desa",
    "35.14.01.2003,3514010001,Tambaksari,desa",
    "35.14.01.2004,3514010004,,desa",
    "35.14.01.1005,3514010005,Sumberrejo,desa",
    "35.14.01.2006,3514010006,Parerejo,dusun",
    "35.14.14.1003,3514150003,Dermo,kelurahan",  # valid, new: must not be inserted
    "35.14.01.2007,3514020007,Jatiarjo,desa",
    "35.14.01.2008,3514010002,Pucangsari,desa",
    "35.14.01,3514020,Purwodadi,kecamatan",
    "3514012009,3514010009,Capang,desa",
    "35.14.14.2004,35141500,Pogar,desa",
    "35.14.14.2005,,Latek,desa,,,oops",
    "35.14.01.2009,,,kampung",
]

BAD_REPORT = [
    "Baris 3, kolom kode_kemendagri: kode 35.15.01.2001 tidak berada di bawah "
    "Kabupaten Pasuruan (35.14)",
    "Baris 4, kolom kode_kemendagri: kode 35.14.25.2001 tidak berada di bawah kecamatan "
    "mana pun di Kabupaten Pasuruan: kecamatan 35.14.25 tidak ada",
    "Baris 5, kolom kode_kemendagri: 35.14.01.2001 muncul lagi; sudah ada di baris 2",
    "Baris 6, kolom kode_bps: 3514010001 muncul lagi; sudah ada di baris 2",
    "Baris 7, kolom nama: nama wajib diisi",
    "Baris 8, kolom kode_kemendagri: kode 35.14.01.1005 tidak sesuai dengan jenis desa: "
    "kode desa berbentuk 35.14.xx.2yyy, kode kelurahan 35.14.xx.1yyy",
    "Baris 9, kolom jenis: jenis dusun tidak dikenal; gunakan desa atau kelurahan",
    "Baris 11, kolom kode_bps: kode BPS 3514020007 tidak diawali 3514010, "
    "kode BPS Kecamatan Purwodadi",
    "Baris 12, kolom kode_bps: kode BPS 3514010002 sudah dipakai 35.14.01.2002 (Gajahrejo) "
    "di tabel",
    "Baris 13, kolom kode_bps: kode BPS 3514020 berbeda dengan kode BPS Purwodadi, "
    "yaitu 3514010",
    "Baris 14, kolom kode_kemendagri: kode 3514012009 tidak berformat NN.NN.NN.NNNN "
    "seperti kode desa atau kelurahan",
    "Baris 15, kolom kode_bps: kode BPS 35141500 untuk desa atau kelurahan harus 10 digit",
    "Baris 16: baris berisi 7 kolom, padahal baris judul berisi 4",
    "Baris 17, kolom nama: nama wajib diisi",
    "Baris 17, kolom jenis: jenis kampung tidak dikenal; gunakan desa atau kelurahan",
]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestBadFile:
    def test_every_bad_row_is_reported_and_nothing_is_written(self, cli, tmp_path):
        assert _import(cli, _write(tmp_path, VALID, name="awal.csv")).exit_code == 0
        before = _table()

        result = _import(cli, _write(tmp_path, BAD))

        assert result.exit_code == 1, result.output
        assert _problem_lines(result.output) == BAD_REPORT
        assert "Tidak ada yang diimpor: 15 masalah pada 14 baris" in result.output
        assert _table() == before

    def test_nothing_is_written_into_an_empty_table(self, cli, tmp_path):
        result = _import(cli, _write(tmp_path, BAD))

        assert result.exit_code == 1, result.output
        # Without earlier rows in the table, line 12's BPS code is free.
        assert len(_problem_lines(result.output)) == len(BAD_REPORT) - 1
        assert _table() == []

    def test_line_numbers_in_a_semicolon_file_with_bom(self, cli, tmp_path):
        lines = [HEADER, "35.14.01.2001,,Dawuhansengon,desa", "", "35.15.01.2001,,Sukorejo,desa"]
        path = tmp_path / "excel.csv"
        path.write_bytes("\r\n".join(line.replace(",", ";") for line in lines).encode("utf-8-sig"))

        result = _import(cli, str(path))

        assert result.exit_code == 1, result.output
        assert _problem_lines(result.output) == [
            "Baris 4, kolom kode_kemendagri: kode 35.15.01.2001 tidak berada di bawah "
            "Kabupaten Pasuruan (35.14)",
        ]
        assert _table() == []

    def test_missing_header_column(self, cli, tmp_path):
        result = _import(cli, _write(tmp_path, ["kode,kode_bps,nama,jenis",
                                                "35.14.01.2001,,Dawuhansengon,desa"]))

        assert result.exit_code == 1, result.output
        assert _problem_lines(result.output) == [
            "Baris 1: kolom kode_kemendagri tidak ada di baris judul",
        ]

    def test_not_utf8(self, cli, tmp_path):
        path = tmp_path / "latin1.csv"
        path.write_bytes(f"{HEADER}\n35.14.01.2001,,Dawuhansèngon,desa\n".encode("latin-1"))

        result = _import(cli, str(path))

        assert result.exit_code == 1, result.output
        assert _problem_lines(result.output) == ["Baris 2: berkas bukan teks UTF-8"]


def _has_table() -> bool:
    return sa.inspect(model.Session.get_bind()).has_table("satudata_wilayah")


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_migration_goes_down_and_up_again(migrate_db_for):
    assert _has_table()

    migrate_db_for("satudata", "base", forward=False)
    assert not _has_table()

    migrate_db_for("satudata")
    assert _has_table()


@pytest.mark.usefixtures("ckan_config")
@pytest.mark.ckan_config("ckan.locale_default", "en")
def test_english_when_the_default_language_is_not_indonesian():
    problem = wilayah_import.Problem(
        3, "kode_kemendagri", "code {code} is not under Kabupaten Pasuruan (35.14)",
        {"code": "35.15.01.2001"})

    assert problem.render() == ("Line 3, column kode_kemendagri: code 35.15.01.2001 "
                                "is not under Kabupaten Pasuruan (35.14)")


def test_every_message_has_an_indonesian_translation():
    source = (PACKAGE_DIR / "wilayah_import.py").read_text(encoding="utf-8")
    msgids = {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr == "_" and isinstance(node.args[0], ast.Constant)
    }
    catalogue = json.loads(
        (PACKAGE_DIR / "i18n" / "wilayah_import_id.json").read_text(encoding="utf-8"))

    assert len(msgids) >= 20
    assert msgids == set(catalogue)
    for msgid, text in catalogue.items():
        assert sorted(_fields(msgid)) == sorted(_fields(text)), msgid


def _fields(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]
