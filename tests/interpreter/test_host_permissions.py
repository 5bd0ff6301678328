"""Host permissions: granted paths work through every authorised library, nothing else is reachable.

Each test builds a small folder tree in `tmp_path`: `data/` (granted for reading), `out/` (granted
for writing) and `secret/` (granted for nothing), plus a symlink from `data/` into `secret/`.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from smolagents.local_python_executor import InterpreterError, LocalPythonExecutor

LIBRARIES = [
    "numpy",
    "pandas",
    "PIL",
    "PIL.*",
    "sqlite3",
    "lxml",
    "lxml.*",
    "zipfile",
    "glob",
    "os",
    "pathlib",
]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Lay out data/, out/ and secret/ and make tmp_path the working directory."""
    (tmp_path / "data").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "secret").mkdir()
    (tmp_path / "data" / "table.csv").write_text("a,b\n1,2\n3,4\n")
    (tmp_path / "data" / "doc.xml").write_text("<root><item>public</item></root>")
    (tmp_path / "secret" / "key.txt").write_text("top secret\n")
    (tmp_path / "data" / "link.txt").symlink_to(tmp_path / "secret" / "key.txt")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make_executor(**grants: Any) -> LocalPythonExecutor:
    executor = LocalPythonExecutor(LIBRARIES, **grants)
    executor.send_tools({})
    return executor


def refused(executor: LocalPythonExecutor, code: str) -> str:
    with pytest.raises(InterpreterError) as raised:
        executor(code)
    return str(raised.value)


@pytest.mark.parametrize(
    "code",
    [
        "import pandas as pd\nint(pd.read_csv('data/table.csv').a.sum())",
        "import numpy as np\nint(np.loadtxt('data/table.csv', delimiter=',', skiprows=1).sum() - 6)",
        "from lxml import etree\nlen(etree.parse('data/doc.xml').getroot().findtext('item')) - 2",
        "import glob\nlen(glob.glob('data/*.csv')) * 4",
        "import pathlib\nlen(pathlib.Path('data/table.csv').read_text().splitlines()) + 1",
        "import os\nlen(os.listdir('data')) + 1",
    ],
    ids=["pandas", "numpy", "lxml", "glob", "pathlib", "os"],
)
def test_granted_folder_is_readable_through_each_library(tree: Path, code: str) -> None:
    assert make_executor(allow_read=["data"])(code).output == 4


@pytest.mark.parametrize(
    "code",
    [
        "import pandas as pd\npd.DataFrame({'a': [1]}).to_csv('out/t.csv')\nlen(pd.read_csv('out/t.csv'))",
        "import numpy as np\nnp.save('out/a.npy', np.arange(3))\nint(np.load('out/a.npy').sum()) - 2",
        "import sqlite3\nc = sqlite3.connect('out/db.sqlite')\nc.execute('create table t(x)')\n"
        "c.execute('insert into t values (1)')\nc.commit()\nc.execute('select count(*) from t').fetchone()[0]",
        "import zipfile\nwith zipfile.ZipFile('out/z.zip', 'w') as z:\n    z.writestr('a.txt', 'x')\n"
        "len(zipfile.ZipFile('out/z.zip').read('a.txt'))",
        "from PIL import Image\nImage.new('RGB', (1, 1)).save('out/i.png')\n"
        "with Image.open('out/i.png') as image:\n    width = image.size[0]\nwidth",
    ],
    ids=["pandas", "numpy", "sqlite3", "zipfile", "PIL"],
)
def test_granted_output_folder_is_writable_and_readable_back(tree: Path, code: str) -> None:
    assert make_executor(allow_write=["out"])(code).output == 1


@pytest.mark.parametrize(
    "code",
    [
        "import pandas as pd\npd.read_csv('secret/key.txt')",
        "import pandas as pd\npd.read_csv('data/link.txt')",
        "import pandas as pd\npd.read_csv('data/../secret/key.txt')",
        "import numpy as np\nnp.loadtxt('secret/key.txt', dtype=str)",
        "from PIL import Image\nImage.open('secret/key.txt')",
        "from lxml import etree\netree.parse('secret/key.txt')",
        "import pathlib\npathlib.Path('secret/key.txt').read_text()",
        "import zipfile\nzipfile.ZipFile('secret/key.txt')",
        "import sqlite3\nsqlite3.connect('secret/key.txt')",
    ],
    ids=["pandas", "symlink", "dotdot", "numpy", "PIL", "lxml", "pathlib", "zipfile", "sqlite3"],
)
def test_ungranted_file_is_refused_with_the_grant_to_ask_for(tree: Path, code: str) -> None:
    message = refused(make_executor(allow_read=["data"]), code)
    assert str(tree / "secret" / "key.txt") in message
    assert "allow_read" in message and "is not allowed" in message


@pytest.mark.parametrize(
    "code",
    [
        "import pandas as pd\npd.DataFrame({'a': [1]}).to_csv('data/new.csv')",
        "import numpy as np\nnp.save('data/a.npy', np.arange(3))",
        "import os\nos.remove('data/table.csv')",
        "import pathlib\npathlib.Path('data/table.csv').write_text('x')",
    ],
    ids=["pandas", "numpy", "os-remove", "pathlib"],
)
def test_a_read_grant_does_not_allow_writing(tree: Path, code: str) -> None:
    message = refused(make_executor(allow_read=["data"]), code)
    assert "allow_write" in message
    assert (tree / "data" / "table.csv").read_text().startswith("a,b")


def test_glob_lists_only_granted_folders(tree: Path) -> None:
    executor = make_executor(allow_read=["data"])
    assert executor("import glob\nsorted(glob.glob('data/*'))").output == [
        "data/doc.xml",
        "data/link.txt",
        "data/table.csv",
    ]
    assert "listing" in refused(executor, "import os\nos.listdir('secret')")


def test_nothing_is_readable_without_a_grant(tree: Path) -> None:
    executor = make_executor()
    assert "allow_read" in refused(executor, "import pandas as pd\npd.read_csv('data/table.csv')")
    assert "/etc/passwd" in refused(executor, "import pathlib\npathlib.Path('/etc/passwd').read_text()")


def test_grants_resolve_relative_paths_against_the_working_directory(tree: Path) -> None:
    executor = make_executor(allow_read=["./data/"])
    assert (
        executor(f"import pandas as pd\nlen(pd.read_csv({str(tree / 'data' / 'table.csv')!r}))").output == 2
    )


def test_the_environment_of_the_process_is_not_visible(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOLAGENTS_TEST_SECRET", "s3cr3t")
    monkeypatch.setenv("LANG", "C.UTF-8")
    executor = make_executor(allow_read=["/"])
    result = executor(
        "import os\n(os.environ.get('SMOLAGENTS_TEST_SECRET'), os.getenv('LANG'), 'PATH' in os.environ)"
    )
    assert result.output == (None, "C.UTF-8", False)
    assert "s3cr3t" not in repr(executor("import os\nrepr(os.environ)").output)
    assert "no grant opens" in refused(
        executor, "import pathlib\npathlib.Path('/proc/self/environ').read_bytes()"
    )
    assert "environment" in refused(executor, "import os\nos.environ['X'] = '1'")
    assert os.environ["SMOLAGENTS_TEST_SECRET"] == "s3cr3t"  # the host still sees everything


@pytest.mark.parametrize(
    ("code", "word"),
    [
        ("import os\nos.system('true')", "system"),
        ("import subprocess\nsubprocess.run(['true'])", "processes"),
        ("import socket\nsocket.create_connection(('127.0.0.1', 9))", "Network"),
        ("import ctypes\nctypes.CDLL(None)", "ctypes"),
        ("import pandas as pd\npd.DataFrame({'a': [1]}).query('a > 0')", "query"),
    ],
    ids=["os-system", "subprocess", "socket", "ctypes", "pandas-query"],
)
def test_processes_sockets_native_code_and_string_evaluation_stay_closed(
    tree: Path, code: str, word: str
) -> None:
    executor = LocalPythonExecutor(["os", "subprocess", "socket", "ctypes", "pandas"], allow_read=["/"])
    assert word in refused(executor, code)


def test_tools_are_not_restricted(tree: Path) -> None:
    """Tools run as the host: they read any file and reach the network, called from model code."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted = threading.Thread(target=lambda: server.accept()[0].close(), daemon=True)
    accepted.start()

    def read_secret() -> str:
        return (tree / "secret" / "key.txt").read_text()

    def dial() -> str:
        with socket.create_connection(("127.0.0.1", port), timeout=60):
            return "connected"

    executor = make_executor()
    executor.send_tools({"read_secret": read_secret, "dial": dial})
    try:
        assert executor("read_secret().strip() + ' / ' + dial()").output == "top secret / connected"
    finally:
        accepted.join(timeout=60)
        server.close()


def test_network_grant_opens_sockets(tree: Path) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    try:
        executor = LocalPythonExecutor(["socket"], allow_net=True)
        code = f"import socket\ns = socket.create_connection(('127.0.0.1', {port}))\ns.close()\n'ok'"
        assert executor(code).output == "ok"
    finally:
        server.close()


def test_sqlite_cannot_attach_ungranted_databases(tree: Path) -> None:
    sqlite3.connect(tree / "secret" / "other.db").close()
    executor = make_executor(allow_write=["out"])
    code = "import sqlite3\nc = sqlite3.connect(':memory:')\nc.execute(\"attach database 'secret/other.db' as s\")"
    assert "not authorized" in refused(executor, code)


def test_grants_reach_the_executor_through_code_agent_executor_kwargs(tree: Path) -> None:
    from smolagents.agents import CodeAgent
    from smolagents.models import ScriptedModel

    reply = "Thought: read it\n```py\nimport pandas as pd\nfinal_answer(int(pd.read_csv('data/table.csv').a.sum()))\n```"
    agent = CodeAgent(
        tools=[],
        model=ScriptedModel([reply]),
        additional_authorized_imports=["pandas"],
        executor_kwargs={"allow_read": ["data"]},
    )
    assert agent.run("sum column a") == 4


def test_single_path_instead_of_a_list_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="must be a list of paths"):
        LocalPythonExecutor([], allow_read="data")  # type: ignore[arg-type]
