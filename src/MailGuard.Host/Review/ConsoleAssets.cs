namespace MailGuard.Host.Review;

/// <summary>The console's one style sheet, served from the binary: no asset is loaded from anywhere else, and no script at all.</summary>
internal static class ConsoleAssets
{
    public const string Css = """
        :root { --fg: #1d2330; --muted: #5b6474; --line: #d9dee7; --accent: #1f5fbf; --warn: #a33a00; --ok: #1c7a3a; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
        header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #16213a; color: #fff; }
        header.top a { color: #dfe7ff; text-decoration: none; }
        header.top a.brand { font-weight: 700; color: #fff; }
        header.top .who { margin-left: auto; display: flex; gap: .8rem; align-items: center; }
        header.top form { margin: 0; }
        main { padding: 1rem 1.2rem 3rem; max-width: 1400px; }
        h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .4rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef1f6; font-weight: 600; }
        tr:hover td { background: #f9fbff; }
        .muted { color: var(--muted); }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        .badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; background: #e8ecf4; font-size: .85em; }
        .badge.held { background: #fff1d6; color: var(--warn); }
        .badge.released { background: #ddf3e4; color: var(--ok); }
        form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: 1rem; }
        form.filters label { display: flex; flex-direction: column; font-size: .85em; color: var(--muted); }
        input, select, textarea, button { font: inherit; }
        input, select, textarea { padding: .3rem .4rem; border: 1px solid #b9c1cf; border-radius: 4px; background: #fff; }
        textarea { width: 100%; min-height: 4rem; }
        button { padding: .35rem .8rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        button.danger { background: #b3261e; border-color: #b3261e; }
        .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; }
        .panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; margin-bottom: 1rem; }
        pre.body { white-space: pre-wrap; word-break: break-word; background: #fff; border: 1px solid var(--line); padding: .8rem; max-height: 40rem; overflow: auto; }
        .notice { padding: .6rem .8rem; border-radius: 4px; margin-bottom: 1rem; background: #e9f1ff; border: 1px solid #b7cdf5; }
        .notice.error { background: #fdecea; border-color: #f3b9b3; }
        .notice.secret { background: #fff7e0; border-color: #f0d58a; font-family: ui-monospace, monospace; }
        .pager { display: flex; gap: 1rem; margin-top: .8rem; align-items: center; }
        .login { max-width: 22rem; margin: 4rem auto; }
        .login label { display: block; margin-bottom: .7rem; }
        .login input { width: 100%; }
        dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
        dl.kv dt { color: var(--muted); }
        dl.kv dd { margin: 0; word-break: break-word; }
        .cards { display: flex; gap: 1rem; flex-wrap: wrap; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .7rem 1rem; min-width: 11rem; }
        .card .value { font-size: 1.5rem; font-weight: 700; }
        svg.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; }
        .legend span { display: inline-flex; align-items: center; gap: .3rem; margin-right: 1rem; }
        .legend i { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; }
        .sev { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .85em; }
        .sev.high { background: #fdecea; color: #b3261e; font-weight: 600; }
        .sev.medium { background: #fff1d6; color: var(--warn); }
        .sev.low { background: #e8ecf4; color: var(--muted); }
        .marker { display: inline-block; padding: 0 .45rem; border-radius: .6rem; background: #e9f1ff; color: var(--accent); font-size: .85em; font-weight: 600; }
        .confirm { border: 2px solid #b3261e; }
        .confirm .leaves { font-size: 1.1em; font-weight: 600; }
        table.preview td, table.preview th { font-family: ui-monospace, monospace; font-size: .9em; }
        blockquote.preview { margin: .3rem 0; padding: .3rem .8rem; border-left: 3px solid var(--line); background: #fff; }
        th a { color: inherit; }
        form.bulk { margin-top: 1rem; }
        """;
}
