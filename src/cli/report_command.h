// `orchestra report`: the report of the newest run, as a self-contained HTML
// page, Markdown or JSON, from a finished run or one still going (the state is
// read read-only, as the dashboard reads it).
#pragma once

#include "command.h"

namespace orchestra {

/// Without --format or -o: writes reports/report.html and
/// reports/execution_report.md (what a run leaves there) and names them.
/// `--format F` alone prints the report in F on stdout (`--json` is `--format
/// json`); `-o FILE` writes it there, in the format its extension names
/// (.html, .md, .json) unless --format says. --gantt also draws the run beside
/// the plan. Exit 2 for a format that cannot be told or before the first run.
int CommandReport(const CommandArgs& args);

}  // namespace orchestra
