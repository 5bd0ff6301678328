"""Host permissions (issue 10 part 1): nothing on the host unless granted, whatever library is used.

Every attack runs with the libraries authorised that would reach the host, and a grant for one
public folder only. A secret file holding the canary token sits outside it; the canary's
environment variable holds the same token; the canary marker must never be created.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._kit import Canary, ExecutorFactory, expect_no_escape, expect_refused

LIBRARIES = [
    "numpy", "pandas", "PIL", "PIL.*", "sqlite3", "lxml", "lxml.*", "zipfile", "glob", "os", "pathlib",
    "shutil", "io", "tarfile", "gzip", "csv", "json", "subprocess", "socket", "ctypes", "urllib", "urllib.*",
    "http", "http.*", "string", "tempfile", "posixpath", "mmap", "platform", "webbrowser", "collections",
]  # fmt: skip


def _setup(tmp_path: Path, canary: Canary) -> tuple[Path, Path]:
    public = tmp_path / "public"
    public.mkdir()
    (public / "data.csv").write_text("a,b\n1,2\n")
    secret = tmp_path / "secret.txt"
    secret.write_text(f"token,{canary.token}\n")
    (public / "link.csv").symlink_to(secret)
    return public, secret


def _run(make_executor: ExecutorFactory, canary: Canary, tmp_path: Path, code: str) -> None:
    public, secret = _setup(tmp_path, canary)
    executor = make_executor(LIBRARIES, allow_read=[str(public)], allow_write=[str(public)])
    code = code.replace("SECRET", repr(str(secret))).replace("PUBLIC", repr(str(public)))
    code = code.replace("MARKER", repr(str(canary.marker))).replace("LINK", repr(str(public / "link.csv")))
    expect_no_escape(executor, code, canary)


class TestReadingUngrantedFiles:
    """Reading a file outside the grants, through every library that can read files."""

    @pytest.mark.parametrize(
        "code",
        [
            "import pandas as pd\nfinal_answer(pd.read_csv(SECRET).to_string())",
            "import pandas as pd\nfinal_answer(pd.read_csv(LINK).to_string())",
            "import pandas as pd\nfinal_answer(pd.read_table(PUBLIC + '/../secret.txt').to_string())",
            "import numpy as np\nfinal_answer(str(np.loadtxt(SECRET, dtype=str, delimiter=',')))",
            "import numpy as np\nfinal_answer(bytes(np.fromfile(SECRET, dtype='uint8')).decode())",
            "import numpy as np\nfinal_answer(str(np.genfromtxt(SECRET, dtype=str, delimiter=',')))",
            "import numpy as np\nfinal_answer(str(np.fromregex(SECRET, r'(.*)', [('v', 'U99')])))",
            "import pathlib\nfinal_answer(pathlib.Path(SECRET).read_text())",
            "import io\nfinal_answer(io.open(SECRET).read())",
            "import io\nfinal_answer(io.FileIO(SECRET).read().decode())",
            "import os\nfinal_answer(os.fdopen(os.open(SECRET, os.O_RDONLY)).read())",
            "import csv\nimport io\nfinal_answer(str(list(csv.reader(io.open(SECRET)))))",
            "import shutil\nshutil.copy(SECRET, PUBLIC + '/copy.txt')\nfinal_answer(open(PUBLIC + '/copy.txt').read())",
            "import sqlite3\nsqlite3.connect(SECRET).execute('select 1')",
            "from PIL import Image\nImage.open(SECRET)",
            "from lxml import etree\nfinal_answer(etree.tostring(etree.parse(SECRET)))",
            "import tarfile\ntarfile.open(SECRET)",
            "import zipfile\nzipfile.ZipFile(SECRET)",
            "import gzip\nfinal_answer(gzip.open(SECRET).read())",
            "import urllib.request\nfinal_answer(urllib.request.urlopen('file://' + SECRET).read().decode())",
        ],
        ids=[
            "pandas", "pandas-symlink", "pandas-dotdot", "numpy-loadtxt", "numpy-fromfile", "numpy-genfromtxt",
            "numpy-fromregex", "pathlib", "io-open", "io-fileio", "os-open-fdopen", "csv", "shutil-copy",
            "sqlite3", "PIL", "lxml-parse", "tarfile", "zipfile", "gzip", "urllib-file-url",
        ],
    )  # fmt: skip
    def test_ungranted_file_cannot_be_read(
        self, make_executor: ExecutorFactory, canary: Canary, tmp_path: Path, code: str
    ) -> None:
        _run(make_executor, canary, tmp_path, code)


class TestWritingOutsideGrants:
    """Creating the marker file outside the grants, through every library that writes files."""

    @pytest.mark.parametrize(
        "code",
        [
            "import pandas as pd\npd.DataFrame({'a': [1]}).to_csv(MARKER)",
            "import numpy as np\nnp.save(MARKER, np.arange(3))",
            "import numpy as np\nnp.arange(3).tofile(MARKER)",
            "from PIL import Image\nImage.new('RGB', (1, 1)).save(MARKER, 'PNG')",
            "import pathlib\npathlib.Path(MARKER).write_text('x')",
            "import pathlib\npathlib.Path(MARKER).touch()",
            "import os\nos.mkdir(MARKER)",
            "import os\nos.rename(PUBLIC + '/data.csv', MARKER)",
            "import os\nos.symlink(PUBLIC, MARKER)",
            "import shutil\nshutil.copyfile(PUBLIC + '/data.csv', MARKER)",
            "import sqlite3\nc = sqlite3.connect(':memory:')\nc.execute('vacuum into ' + repr(MARKER))",
            "import sqlite3\nc = sqlite3.connect(':memory:')\nc.execute('attach database ' + repr(MARKER) + ' as x')",
            "import zipfile\nzipfile.ZipFile(MARKER, 'w').close()",
            "import tempfile\ntempfile.mkstemp(dir=MARKER.rsplit('/', 1)[0])\nopen(MARKER, 'w')",
            "from lxml import etree\netree.ElementTree(etree.fromstring('<a/>')).write(MARKER)",
            "import io\nio.open(MARKER, 'w').write('x')",
        ],
        ids=[
            "pandas", "numpy-save", "numpy-tofile", "PIL", "pathlib-write", "pathlib-touch", "os-mkdir",
            "os-rename", "os-symlink", "shutil", "sqlite-vacuum-into", "sqlite-attach", "zipfile", "tempfile",
            "lxml-write", "io-open",
        ],
    )  # fmt: skip
    def test_ungranted_path_cannot_be_written(
        self, make_executor: ExecutorFactory, canary: Canary, tmp_path: Path, code: str
    ) -> None:
        _run(make_executor, canary, tmp_path, code)


class TestEnvironment:
    """The canary's environment variable, through every way a library can read the environment."""

    @pytest.mark.parametrize(
        "code",
        [
            "import os\nfinal_answer(os.environ['SMOLAGENTS_CANARY'])",
            "import os\nfinal_answer(os.getenv('SMOLAGENTS_CANARY'))",
            "import os\nfinal_answer(str(dict(os.environ)))",
            "import os\nfinal_answer(repr(os.environ))",
            "import os\nfinal_answer(str(os.environ.copy()))",
            "import os\nfinal_answer(str(list(os.environ.items())))",
            "import os\nfinal_answer(str(os.environb))",
            "import posixpath\nfinal_answer(posixpath.expandvars('$SMOLAGENTS_CANARY'))",
            "import os\nfinal_answer(os.path.expandvars('${SMOLAGENTS_CANARY}'))",
            "import string\nimport os\nfinal_answer(string.Template('$SMOLAGENTS_CANARY').safe_substitute(os.environ))",
            "import pathlib\nfinal_answer(pathlib.Path('/proc/self/environ').read_text())",
            "import numpy as np\nfinal_answer(str(np.fromfile('/proc/self/environ', dtype='uint8').tobytes()))",
            "import pandas as pd\nfinal_answer(pd.read_csv('/proc/self/environ', sep='\\0').to_string())",
            "import os\nfinal_answer(open('/proc/%d/environ' % os.getpid()).read())",
            "import subprocess\nfinal_answer(subprocess.run(['env'], capture_output=True).stdout.decode())",
            "import os\nos.environ['SMOLAGENTS_CANARY'] = 'overwritten'",
            "import os\nos.putenv('SMOLAGENTS_CANARY', 'overwritten')",
        ],
        ids=[
            "environ-item", "getenv", "dict", "repr", "copy", "items", "environb", "posixpath-expandvars",
            "os-path-expandvars", "template", "proc-pathlib", "proc-numpy", "proc-pandas", "proc-pid",
            "subprocess-env", "environ-write", "putenv",
        ],
    )  # fmt: skip
    def test_environment_is_not_readable_or_changeable(
        self, make_executor: ExecutorFactory, canary: Canary, tmp_path: Path, code: str
    ) -> None:
        import os

        _run(make_executor, canary, tmp_path, code)
        assert os.environ[canary.env_var] == canary.token, "model code changed the host's environment"


class TestProcessesSocketsAndNativeCode:
    """Running commands (which create the marker), opening sockets, loading native code."""

    @pytest.mark.parametrize(
        "code",
        [
            "import subprocess\nsubprocess.run(['touch', MARKER])",
            "import subprocess\nsubprocess.Popen(['touch', MARKER]).wait()",
            "import os\nos.posix_spawn('/usr/bin/touch', ['touch', MARKER], {})",
            "import os\nos.spawnv(os.P_WAIT, '/usr/bin/touch', ['touch', MARKER])",
            "import os\nos.execv('/usr/bin/touch', ['touch', MARKER])",
            "import platform\nplatform.popen('touch ' + MARKER)",
            "import ctypes\nctypes.CDLL(None).system(('touch ' + MARKER).encode())",
            "import ctypes\nctypes.cdll.LoadLibrary('libc.so.6').system(('touch ' + MARKER).encode())",
            "import ctypes\nctypes.string_at(id(1), 8)",
            "import mmap\nm = mmap.mmap(-1, 4096)",
            "import socket\nsocket.create_connection(('127.0.0.1', 9))",
            "import socket\nsocket.socket(socket.AF_UNIX).connect('/var/run/docker.sock')",
            "import socket\nsocket.getaddrinfo('localhost', 80)",
            "import http.client\nhttp.client.HTTPConnection('127.0.0.1', 9).request('GET', '/')",
            "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/')",
        ],
        ids=[
            "subprocess-run", "subprocess-popen", "posix-spawn", "spawnv", "execv", "platform-popen",
            "ctypes-cdll-none", "ctypes-loadlibrary", "ctypes-string-at", "mmap-anonymous",
            "socket-tcp", "socket-unix", "dns", "http-client", "urllib-http",
        ],
    )  # fmt: skip
    def test_processes_sockets_and_native_code_are_refused(
        self, make_executor: ExecutorFactory, canary: Canary, tmp_path: Path, code: str
    ) -> None:
        public, _ = _setup(tmp_path, canary)
        executor = make_executor(LIBRARIES, allow_read=["/"], allow_write=[str(public)])
        expect_refused(executor, code.replace("MARKER", repr(str(canary.marker))), canary)


class TestStringsEvaluatedAsCode:
    """Library entry points that evaluate a string, however they are reached."""

    PAYLOAD = "__import__('os').system('touch ' + MARKER)"

    @pytest.mark.parametrize(
        "code",
        [
            "df.eval(PAYLOAD)",
            "pd.DataFrame.eval(df, PAYLOAD)",
            "df.query(PAYLOAD)",
            "pd.DataFrame.query(df, PAYLOAD)",
            "df.apply('eval', expr=PAYLOAD)",
            "df.agg('query', expr=PAYLOAD)",
            "df.pipe(pd.DataFrame.eval, PAYLOAD)",
            "getattr(df, 'eval')(PAYLOAD)",
            "pd.eval(PAYLOAD)",
            "df.eval(PAYLOAD, engine='python')",
        ],
        ids=[
            "instance-eval", "class-eval", "instance-query", "class-query", "apply-by-name", "agg-by-name",
            "pipe", "getattr", "module-eval", "python-engine",
        ],
    )  # fmt: skip
    def test_pandas_never_evaluates_model_strings(
        self, make_executor: ExecutorFactory, canary: Canary, code: str
    ) -> None:
        payload = repr(self.PAYLOAD.replace("MARKER", repr(str(canary.marker))))
        setup = "import pandas as pd\ndf = pd.DataFrame({'a': [1, 2]})\n"
        expect_refused(make_executor(["pandas"]), setup + code.replace("PAYLOAD", payload), canary)


class TestLibrariesOpeningFilesInC:
    """XML and image libraries read files in C, where no audit event fires."""

    @pytest.mark.parametrize(
        "code",
        [
            "from lxml import etree\nx = '<!DOCTYPE r [<!ENTITY e SYSTEM \"file://' + SECRET + '\">]><r>&e;</r>'\n"
            "final_answer(etree.tostring(etree.fromstring(x, etree.XMLParser(resolve_entities=True))))",
            "from lxml import etree\nx = '<!DOCTYPE r [<!ENTITY e SYSTEM \"file://' + SECRET + '\">]><r>&e;</r>'\n"
            "final_answer(etree.tostring(etree.fromstring(x, etree.XMLParser(load_dtd=True, resolve_entities=True))))",
            "from lxml import etree\nx = '<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"' + SECRET + "
            "'\" parse=\"text\"/></r>'\nt = etree.ElementTree(etree.fromstring(x))\nt.xinclude()\nfinal_answer(etree.tostring(t))",
            "from lxml import etree\nxsl = etree.XML('<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">"
            "<xsl:template match=\"/\"><o><xsl:value-of select=\"document(\\'file://' + SECRET + '\\')\"/></o></xsl:template>"
            "</xsl:stylesheet>')\nfinal_answer(str(etree.XSLT(xsl)(etree.XML('<a/>'))))",
            "from lxml import etree\nfinal_answer(etree.tostring(etree.iterparse(SECRET).root))",
            "from lxml import html\nfinal_answer(html.tostring(html.parse(SECRET)))",
            "from lxml import etree\netree.XMLSchema(file=SECRET)",
            "from PIL import ImageFont\nImageFont.truetype(SECRET, 12)",
            "import pandas as pd\nfinal_answer(pd.read_html(SECRET))",
            "import pandas as pd\nfinal_answer(pd.read_xml(SECRET).to_string())",
        ],
        ids=[
            "xxe", "xxe-load-dtd", "xinclude", "xslt-document", "iterparse", "lxml-html-parse", "xmlschema-file",
            "pil-truetype", "pandas-read-html", "pandas-read-xml",
        ],
    )  # fmt: skip
    def test_files_opened_in_c_obey_the_grants(
        self, make_executor: ExecutorFactory, canary: Canary, tmp_path: Path, code: str
    ) -> None:
        _run(make_executor, canary, tmp_path, code)
