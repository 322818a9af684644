"""Process trees: process-creation events linked into parents and children, and ways to walk them.

`build_process_tree` reads Windows 4688, Sysmon 1, Defender
``DeviceProcessEvents``, Linux auditd execve or any table a column mapping
describes; the functions of `navigate` walk the result, and `render_tree`
draws it as a rich Tree.
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
