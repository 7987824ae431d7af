"""The ways a token reaches a notebook from a kernel: the catalogue the guard tests and the canary audit run.

Each entry is (path, code run in the kernel). The code expects ``tok`` (a
token), ``secret`` (an app secret the process knows), ``GRAPH`` (a Graph API
sandbox URL), ``log`` (a logger whose handler was configured before the guard,
with ``logging.basicConfig``), ``os``, ``subprocess``, ``time``, ``widgets``
(ipywidgets) and ``HTML``, ``JSON``, ``display``, ``publish_display_data``.
"""

from __future__ import annotations

SETUP = """
import logging, os, subprocess, sys, time
import ipywidgets as widgets
from IPython.display import HTML, JSON, display, publish_display_data
"""

PATHS = [
    # what Python itself shows
    ("print", "print('token:', tok)"),
    ("value repr", "{'token': tok, 'nested': [secret]}"),
    ("DataFrame", "import pandas as pd\npd.DataFrame({'token': [tok], 'secret': [secret]})"),
    (
        "traceback",
        "try:\n    raise ValueError(f'bad token {tok}')\nexcept ValueError:\n    get_ipython().showtraceback()",
    ),
    ("warnings.warn", "import warnings\nwarnings.warn(f'token {tok} expires soon')"),
    # child processes write to file descriptors 1 and 2, which ipykernel reads and sends as streams
    ("os.system", "os.system('echo token: ' + tok)"),
    ("subprocess.run", "subprocess.run(['echo', tok], check=True)"),
    ("subprocess stderr", "subprocess.run(['sh', '-c', 'echo \"$0\" >&2', secret], check=True)"),
    ("shell escape !echo", "!echo {tok}"),
    ("curl -v", "subprocess.run(['curl', '-sv', '--max-time', '20', GRAPH + '/v25.0/me?access_token=' + tok])"),
    # one token in two stream messages, which the notebook joins into one output
    (
        "child output split across reads",
        "subprocess.run(['sh', '-c', 'printf %s \"$0\"; sleep 0.6; echo \"$1\"', tok[:12], tok[12:]], check=True);",
    ),
    ("print split across flushes", "print(tok[:12], end='', flush=True); time.sleep(0.3); print(tok[12:])"),
    ("app secret split across flushes", "print(secret[:16], end='', flush=True); time.sleep(0.3); print(secret[16:])"),
    ("token one character per write", "for c in tok:\n    print(c, end='', flush=True)\nprint()"),
    (
        "app secret 7, 18 and 7 characters",
        "for part in (secret[:7], secret[7:25], secret[25:]):\n    print(part, end='', flush=True)",
    ),
    (
        "child process writing one character at a time",
        "subprocess.run([sys.executable, '-u', '-c', 'import sys, time\\nfor c in sys.argv[1]:\\n    "
        "sys.stdout.write(c); time.sleep(0.005)', tok], check=True)",
    ),
    # the pager (tok?, %page) is sent as an execute_reply payload
    ("pager: tok?", "tok?"),
    ("pager: tok??", "tok??"),
    ("pager: %page", "%page tok"),
    # displays that skip the display formatter
    ("display raw=True", "display({'text/plain': tok, 'text/html': f'<i>{tok}</i>'}, raw=True)"),
    ("publish_display_data", "publish_display_data({'text/plain': 'report', 'text/markdown': f'`{secret}`'})"),
    ("display metadata=", "display(HTML('<b>report</b>'), metadata={'source': tok})"),
    ("application/json keys", "display(JSON({tok: 'value', 'nested': {secret: [1, 2]}}))"),
    ("update_display", "handle = display('loading', display_id=True); handle.update({'text/plain': tok}, raw=True)"),
    # widget traffic: comm messages, and the widget state a saved notebook keeps
    ("widget HTML", "widgets.HTML(tok)"),
    ("widget Text value", "widgets.Text(value=tok, description='token')"),
    ("widget Output.append_stdout", "out = widgets.Output(); out.append_stdout(tok)"),
    ("widget Output capture", "out = widgets.Output(); display(out)\nwith out:\n    print(tok)"),
    ("widget Dropdown options", "widgets.Dropdown(options=[('a', 1), (secret, 2)])"),
    # a handler configured before the guard keeps the original stream; log.exception adds a traceback
    (
        "logging.basicConfig earlier, log.exception",
        "try:\n    raise ValueError(tok)\nexcept ValueError:\n    log.exception('lookup failed')",
    ),
    ("logging.basicConfig earlier, log.error", "log.error('token %s', tok)"),
]
