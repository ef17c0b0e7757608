"""A ClickHouse server's HTTP interface on 127.0.0.1, played by embedded chdb.

No ClickHouse server runs offline, so this fake speaks the interface's shape (the query in the
POST body or `query=`, parameters as `param_<name>` in ClickHouse's text form, the answer in the
format the query names, errors as 500 with ClickHouse's `Code: N. DB::Exception` text) and
lets chdb, ClickHouse's own engine, execute the SQL. clickhouse-connect talks to it as to a
server: its version and settings queries, then bip's queries with server-side parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

from toolkit.reach.archive import chdb_session


@dataclass
class FakeClickHouse:
    queries: list[str] = field(default_factory=list)
    params: list[dict[str, str]] = field(default_factory=list)

    def handler(self, request: Request) -> Response:
        body = request.get_data().decode()
        query = request.args.get("query", "")
        sql = f"{query}\n{body}".strip() if query else body
        params = {
            k.removeprefix("param_"): v for k, v in request.args.items() if k.startswith("param_")
        }
        self.queries.append(sql)
        self.params.append(params)
        try:
            out = chdb_session().query(sql, "TabSeparated", params=params).bytes()
        except Exception as exc:  # noqa: BLE001 - a server answers every failure with a 500
            return Response(f"Code: 62. DB::Exception: {exc}", status=500)
        headers: dict[str, Any] = {
            "X-ClickHouse-Summary": '{"read_rows":"0"}',
            "X-ClickHouse-Timezone": "UTC",
            "X-ClickHouse-Server-Display-Name": "fake-clickhouse",
        }
        return Response(out, headers=headers, content_type="application/octet-stream")
