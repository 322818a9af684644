"""Process trees: process-creation events linked into parents and children, and ways to walk them.

`build_process_tree` reads Windows 4688, Sysmon 1, Defender
``DeviceProcessEvents``, Linux auditd execve or any table a column mapping
describes; the functions of `navigate` walk the result, and `render_tree`
draws it as a rich Tree.

In every tree ``process_name`` is the image's file name (``powershell.exe``)
and ``process_path`` its full path (msticpy's ``NewProcessName``), so
``tree[tree["process_name"] == "powershell.exe"]`` finds PowerShell whichever
table the events came from. `ancestors_of` and `descendants_of` include the
process itself unless ``include_self=False``; `render_tree` and
`huntbook.vis.plot_process_tree` draw any such part from where it starts.
"""

from huntbook.analysis.proctree.build import TREE_COLUMNS, build_process_tree
from huntbook.analysis.proctree.navigate import (
    ProcTreeKeyError,
    ancestors_of,
    children_of,
    descendants_of,
    parent_of,
    root_of,
    roots,
    siblings_of,
    tree_summary,
)
from huntbook.analysis.proctree.render import render_tree
from huntbook.analysis.proctree.schema import SCHEMAS, ProcSchema, ProcTreeSchemaError

__all__ = [
    "SCHEMAS",
    "TREE_COLUMNS",
    "ProcSchema",
    "ProcTreeKeyError",
    "ProcTreeSchemaError",
    "ancestors_of",
    "build_process_tree",
    "children_of",
    "descendants_of",
    "parent_of",
    "render_tree",
    "root_of",
    "roots",
    "siblings_of",
    "tree_summary",
]
