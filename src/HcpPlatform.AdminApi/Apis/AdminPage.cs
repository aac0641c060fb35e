using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using HcpPlatform.AdminApi.Extensions;
using HcpPlatform.Data.Loading;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Interventions;

namespace HcpPlatform.AdminApi.Apis;

/// <summary>
/// The admin page: HTML rendered here (no data in it: every figure is fetched by admin.js with the key the user enters
/// once per browser session), plus admin.js and admin.css from the assembly. No CDN, no build step; a strict
/// Content-Security-Policy allows only this origin.
/// </summary>
public static class AdminPage
{
    public const string Path = "/admin";
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static readonly Lazy<byte[]> Script = new(() => Resource("admin.js"));
    private static readonly Lazy<byte[]> Styles = new(() => Resource("admin.css"));
    private static readonly Lazy<string> Html = new(Render);

    public static IEndpointRouteBuilder MapAdminPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => TypedResults.Redirect(Path)).ExcludeFromDescription();
        app.MapGet(Path, (HttpContext context) =>
        {
            context.Response.Headers.ContentSecurityPolicy = Csp;
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Content(Html.Value, "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapGet(Path + "/admin.js", () => TypedResults.Bytes(Script.Value, "text/javascript; charset=utf-8")).ExcludeFromDescription();
        app.MapGet(Path + "/admin.css", () => TypedResults.Bytes(Styles.Value, "text/css; charset=utf-8")).ExcludeFromDescription();
        return app;
    }

    private static byte[] Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("HcpPlatform.AdminApi.Page." + name)
            ?? throw new InvalidOperationException($"The page resource {name} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Render()
    {
        var e = HtmlEncoder.Default;
        var scenarios = new StringBuilder();
        foreach (var s in Engine.Config.Scenario.All)
        {
            scenarios.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<option value=\"{e.Encode(s.Name)}\">{e.Encode(s.Name)} — {s.Hcps:N0} HCPs, {s.Months} months</option>");
        }
        var counts = new StringBuilder();
        foreach (var t in DatasetTables.All)
        {
            counts.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<tr><th scope=\"row\">{e.Encode(t)}</th><td class=\"num\" id=\"count-{e.Encode(t)}\" data-table=\"{e.Encode(t)}\">–</td></tr>");
        }
        var eventTypes = e.Encode(string.Join(", ", ScenarioEvent.Types));
        var interventionTypes = string.Concat(Intervention.Types.Select(t => $"<option value=\"{e.Encode(t)}\">{e.Encode(t)}</option>"));
        var interventionChannels = string.Concat(Intervention.AllowedChannels.Select(c => $"<option value=\"{e.Encode(c)}\">{e.Encode(c)}</option>"));
        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>HcpPlatform admin</title>
            <link rel="stylesheet" href="{{Path}}/admin.css">
            </head>
            <body>
            <header>
              <h1>HcpPlatform admin</h1>
              <nav><a href="/{{OpenApiExtensions.UiPath}}">API (Swagger UI)</a> · <a href="{{OpenApiExtensions.DocumentPath}}">OpenAPI document</a></nav>
              <div id="key-bar">
                <form id="key-form">
                  <label for="key-input">API key</label>
                  <input id="key-input" type="password" autocomplete="off" spellcheck="false" placeholder="hcp_… (hcp keys create --name me --scope admin)">
                  <button id="key-save" type="submit">Use key</button>
                </form>
                <span id="key-info" hidden>Using key <code id="key-prefix"></code> for this browser session <button id="key-forget" type="button">Forget key</button></span>
              </div>
              <p id="message" role="status" aria-live="polite"></p>
            </header>
            <main id="app" hidden>
              <section id="generation">
                <h2>Generation</h2>
                <dl class="facts">
                  <dt>Mode</dt><dd id="mode">–</dd>
                  <dt>Desired mode</dt><dd id="desired-mode">–</dd>
                  <dt>Worker</dt><dd id="worker">–</dd>
                  <dt>Simulated through</dt><dd id="simulated-through">–</dd>
                  <dt>Lag behind today</dt><dd id="lag">–</dd>
                  <dt>Speed</dt><dd id="speed">–</dd>
                  <dt>Rows/s</dt><dd id="rows-per-second">–</dd>
                  <dt>Last run</dt><dd id="last-run">–</dd>
                  <dt>Last error</dt><dd id="last-error">–</dd>
                </dl>
                <div class="controls">
                  <label for="speed-input">Seconds per simulated day</label>
                  <input id="speed-input" type="number" min="0.1" max="86400" step="0.1" value="2">
                  <button id="start" type="button">Start</button>
                  <button id="pause" type="button">Pause</button>
                  <button id="stop" type="button">Stop</button>
                </div>
              </section>
              <section id="counts">
                <h2>Live counts</h2>
                <table>
                  <tbody>{{counts}}</tbody>
                  <tfoot><tr><th scope="row">total</th><td class="num" id="count-total">–</td></tr></tfoot>
                </table>
              </section>
              <section id="chart-section">
                <h2>Response rate by week</h2>
                <svg id="chart" viewBox="0 0 640 260" role="img" aria-label="Share of stimuli with a response, per week"></svg>
              </section>
              <section id="settings">
                <h2>Scenario settings</h2>
                <form id="config-form">
                  <label>Scenario <select id="cfg-scenario">{{scenarios}}</select></label>
                  <label>Seconds per simulated day (empty: one day per night) <input id="cfg-speed" type="number" min="0.1" max="86400" step="0.1"></label>
                  <label>Nightly schedule (Quartz cron) <input id="cfg-cron" type="text" spellcheck="false"></label>
                  <label>Time zone <input id="cfg-tz" type="text" spellcheck="false"></label>
                  <label>Injected events, a JSON array ({{eventTypes}}) <textarea id="cfg-events" rows="6" spellcheck="false"></textarea></label>
                  <button type="submit">Save settings</button>
                  <ul id="cfg-notes"></ul>
                </form>
                <form id="regen-form">
                  <h3>Regenerate the dataset</h3>
                  <label>Scenario <select id="regen-scenario">{{scenarios}}</select></label>
                  <label>Seed <input id="regen-seed" type="number" min="0" value="42"></label>
                  <label>As of (empty: today) <input id="regen-asof" type="date"></label>
                  <label>Type REGENERATE to confirm <input id="regen-confirm" type="text" autocomplete="off"></label>
                  <button type="submit">Regenerate</button>
                </form>
              </section>
              <section id="interventions">
                <h2>Interventions</h2>
                <table>
                  <thead><tr><th>name</th><th>type</th><th>status</th><th>days</th><th>channels</th><th>arms</th><th></th></tr></thead>
                  <tbody id="iv-body"></tbody>
                </table>
                <div id="iv-detail" hidden>
                  <h3 id="iv-detail-title"></h3>
                  <p id="iv-detail-counts"></p>
                  <p id="iv-detail-truth-note"></p>
                  <table id="iv-truth" hidden>
                    <thead><tr><th>outcome</th><th class="num">true ATE</th><th class="num">true ATT</th><th class="num">CATE cells</th></tr></thead>
                    <tbody id="iv-truth-body"></tbody>
                  </table>
                </div>
                <form id="iv-form">
                  <h3>Define an intervention</h3>
                  <label>Name <input id="iv-name" type="text" maxlength="100" spellcheck="false"></label>
                  <label>Type <select id="iv-type">{{interventionTypes}}</select></label>
                  <label>Channel <select id="iv-channel">{{interventionChannels}}</select></label>
                  <label>Specialties (comma-separated; empty: all) <input id="iv-specialties" type="text" spellcheck="false"></label>
                  <label>Tiers (comma-separated; empty: all) <input id="iv-tiers" type="text" spellcheck="false" placeholder="Tier 1"></label>
                  <label>Start <input id="iv-start" type="date"></label>
                  <label>End <input id="iv-end" type="date"></label>
                  <label>Treated share (test only) <input id="iv-share" type="number" min="0.01" max="0.99" step="0.01" value="0.5"></label>
                  <label>Or the whole definition as JSON (used when not empty) <textarea id="iv-json" rows="5" spellcheck="false"></textarea></label>
                  <button type="submit">Define</button>
                </form>
              </section>
              <section id="validation">
                <h2>Latest validation</h2>
                <p id="validation-summary">–</p>
                <ul id="validation-failed"></ul>
              </section>
              <section id="runs">
                <h2>Recent runs</h2>
                <table>
                  <thead><tr><th>started (UTC)</th><th>kind</th><th>status</th><th>as of</th><th class="num">rows</th><th class="num">ms</th><th>verdict</th></tr></thead>
                  <tbody id="runs-body"></tbody>
                </table>
              </section>
            </main>
            <script src="{{Path}}/admin.js"></script>
            </body>
            </html>
            """;
    }
}
