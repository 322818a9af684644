"""Dotted names of code that end in a real top-level domain but are no hosts.

``.shell``, ``.stream``, ``.network``, ``.property``, ``.got``, ``.hot``,
``.io``, ``.ro`` and ``.info`` are all real TLDs, so ``wscript.shell``,
``adodb.stream``, ``.note.gnu.property``, ``.plt.got`` and ``system.io``
look like host names. They are not, and `is_code_name` says so, by rule
where the text shows what the name is, and from lists otherwise:

- a COM ProgID: the argument of ``CreateObject(``, ``GetObject(``,
  ``ActiveXObject(``, ``GetTypeFromProgID(`` or ``New-Object -ComObject``, or a ProgID of `COM_PROGIDS`;
- an ELF section name: a name right after a ``.`` whose first label is an
  ELF section family (`ELF_SECTION_FAMILIES`: ``.note.*``, ``.rela.*``,
  ``.data.*``, ...), or a name of `ELF_SECTIONS` with its dot dropped;
- a .NET namespace or type of `DOTNET_NAMES` (``system.io``, ``system.net``).
"""

from __future__ import annotations

import functools

ELF_SECTIONS = frozenset(
    {
        # `readelf -SW` of every binary and shared library of a Debian 13 system (145 distinct names),
        # the dotted ones, plus those the ELF gABI and GNU ld name that were not among them.
        ".note.gnu.build-id", ".note.gnu.property", ".note.abi-tag", ".note.gnu.gold-version",
        ".note.stapsdt", ".note.package", ".note.go.buildid", ".note.crashpad.info",
        ".note.android.ident", ".note.netbsd.ident", ".note.openbsd.ident", ".note.freebsd.ident",
        ".rela.dyn", ".rela.plt", ".rel.dyn", ".rel.plt", ".relr.dyn", ".rela.text", ".rel.text",
        ".rela.data", ".rel.data", ".rela.eh_frame", ".rela.debug_info", ".rela.init_array",
        ".rela.fini_array", ".rela.data.rel.ro", ".rela.iplt", ".rela.got",
        ".plt.got", ".plt.sec", ".got.plt", ".igot.plt",
        ".gnu.hash", ".gnu.version", ".gnu.version_r", ".gnu.version_d", ".gnu.build.attributes",
        ".gnu.attributes", ".gnu.lto_.symtab", ".gnu.linkonce.t", ".gnu.linkonce.d",
        ".data.rel.ro", ".data.rel.ro.local", ".data.rel", ".data.rel.local",
        ".text.hot", ".text.unlikely", ".text.startup", ".text.exit", ".noinstr.text",
        ".stapsdt.base", ".go.buildinfo", ".go.fipsinfo",
        ".gresource.gtk", ".gresource.gdk", ".gresource.as",
        ".arm.exidx", ".arm.extab", ".arm.attributes", ".riscv.attributes",
        ".llvm.call-graph-profile", ".debug.info",
    }
)
"""ELF section names with more than one label (lower-case, with their leading dot)."""

ELF_SECTION_FAMILIES = frozenset(
    {
        "text", "data", "rodata", "bss", "tbss", "tdata", "sdata", "sbss", "lbss", "ldata",
        "rel", "rela", "relr", "note", "plt", "got", "igot", "iplt", "gnu", "debug", "zdebug",
        "init", "fini", "init_array", "fini_array", "preinit_array", "eh_frame", "gcc_except_table",
        "ctors", "dtors", "jcr", "dynamic", "dynsym", "dynstr", "symtab", "strtab", "shstrtab",
        "hash", "interp", "comment", "stapsdt", "probes", "gresource", "go", "gopclntab",
        "noptrdata", "noptrbss", "noinstr", "arm", "riscv", "llvm", "tm_clone_table",
    }
)
"""First labels of ELF section names: ``.note.anything.info`` is a section, not a host."""

COM_PROGIDS = frozenset(
    {
        # Windows Script Host, Shell, scripting runtime
        "wscript.shell", "wscript.shell.1", "wscript.network", "wscript.network.1",
        "shell.application", "shell.application.1", "shell.explorer", "shell.explorer.2",
        "shell.users", "shell.uihelper", "scripting.filesystemobject", "scripting.dictionary",
        "scripting.encoder", "scriptlet.typelib", "scriptcontrol", "msscriptcontrol.scriptcontrol",
        "vbscript.regexp", "wshcontroller", "wshcontroller.1",
        # HTTP and XML
        "msxml2.xmlhttp", "msxml2.xmlhttp.3.0", "msxml2.xmlhttp.6.0", "msxml2.serverxmlhttp",
        "msxml2.serverxmlhttp.6.0", "msxml2.domdocument", "msxml2.domdocument.3.0",
        "msxml2.domdocument.6.0", "microsoft.xmlhttp", "microsoft.xmldom", "winhttp.winhttprequest.5.1",
        # ADO and CDO
        "adodb.stream", "adodb.connection", "adodb.recordset", "adodb.command", "cdo.message",
        "cdo.configuration",
        # Office and other automation servers
        "excel.application", "excel.sheet", "word.application", "word.document", "outlook.application",
        "powerpoint.application", "access.application", "visio.application", "publisher.application",
        "internetexplorer.application", "mmc20.application", "schedule.service",
        "schedule.service.1", "wbemscripting.swbemlocator", "wbemscripting.swbemdatetime",
        "wbemscripting.swbemnamedvalueset", "windowsinstaller.installer", "sapi.spvoice",
        "wmplayer.ocx", "hnetcfg.fwpolicy2", "hnetcfg.fwmgr", "hnetcfg.fwrule",
        "microsoft.update.session", "microsoft.update.servicemanager", "microsoft.update.installer",
        "shellwindows", "capicom.utilities", "agentcontrol.agentcontrol",
        # .NET classes registered for COM, the classic DotNetToJScript chain
        "system.text.asciiencoding", "system.text.utf8encoding", "system.io.memorystream",
        "system.collections.arraylist", "system.random",
        "system.security.cryptography.frombase64transform",
        "system.runtime.serialization.formatters.binary.binaryformatter",
    }
)
"""ProgIDs of COM classes that scripts and droppers create (lower-case)."""

DOTNET_NAMES = frozenset(
    {
        "system.io", "system.net", "system.data", "system.security", "system.windows", "system.web",
        "system.io.ports", "system.io.pipes", "system.io.compression", "system.io.packaging",
        "system.net.http", "system.net.mail", "system.net.security", "system.net.sockets",
        "system.net.cache", "system.net.mime", "system.net.websockets", "system.net.networkinformation",
        "system.data.sql", "system.data.odbc", "system.windows.forms", "system.windows.media",
        "system.web.services", "system.web.ui", "system.runtime.remoting", "system.xml.linq",
        "microsoft.win32", "microsoft.powershell", "microsoft.csharp", "microsoft.visualbasic",
        "system.management.automation", "system.reflection.emit",
    }
)
""".NET namespaces that end in a TLD, as ``[System.IO.File]`` or ``using System.Net;`` write them."""

_PROGID_CALLS = (b"createobject", b"getobject", b"activexobject", b"gettypefromprogid", b"-comobject")
_NEW_OBJECT_COM = b"new-object -com"  # PowerShell takes a prefix of -ComObject


def is_code_name(buf: bytes, start: int, end: int, name: str) -> bool:
    """Whether the dotted *name* at ``buf[start:end]`` is code (ProgID, ELF section, .NET), not a host."""
    if name in COM_PROGIDS or name in DOTNET_NAMES or _is_elf_section(name, buf[start - 1 : start] == b"."):
        return True
    return _after_progid_call(buf, start)


@functools.lru_cache(maxsize=65536)
def _is_elf_section(name: str, after_dot: bool) -> bool:
    if f".{name}" in ELF_SECTIONS:
        return True
    return after_dot and name.split(".", 1)[0] in ELF_SECTION_FAMILIES


def _after_progid_call(buf: bytes, start: int) -> bool:
    """Whether ``buf[start:]`` is the argument of a call that creates a COM object from its ProgID."""
    head = b" ".join(buf[max(0, start - 32) : start].lower().rstrip(b"\"' \t(").split())
    return head.endswith(_PROGID_CALLS) or head.endswith(_NEW_OBJECT_COM)
