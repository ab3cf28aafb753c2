package page

import "html/template"

// pageTemplate is the Link stand-in page. It is self-contained (inline style, no script, no
// external asset) so that it works offline and under the page's Content-Security-Policy, and
// html/template escapes everything a link token's creator or a form could put in it.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{with .Outcome}}{{if .Refresh}}<meta http-equiv="refresh" content="{{.Refresh}}">
{{end}}{{end}}<title>{{.Title}} · linktest Link</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#111;margin:0}
main{max-width:34rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem 2rem;box-shadow:0 2px 12px #0002}
.brand{color:#666;font-size:.85rem;margin:0}
h1{font-size:1.4rem;margin:.3rem 0 1rem}
h2{font-size:1.05rem;margin:1.2rem 0 .4rem}
code{font-size:.85rem;word-break:break-all}
fieldset{border:1px solid #ddd;border-radius:8px;margin:1rem 0;padding:.6rem 1rem}
label{display:block;margin:.3rem 0}
select{font-size:1rem;padding:.3rem;margin:.3rem 0 .6rem;max-width:100%}
button{font-size:1rem;padding:.55rem 1.3rem;border-radius:8px;border:1px solid #111;cursor:pointer}
#continue{background:#111;color:#fff}
#exit{background:#fff}
.error{background:#fdecea;border:1px solid #f5c2c0;border-radius:8px;padding:.6rem 1rem}
.failed{color:#a40000}
dt{font-weight:600;margin-top:.5rem}
dd{margin-left:0}
</style>
</head>
<body>
<main>
<p class="brand">linktest · a fake of Plaid Link for development</p>
<h1>{{.Title}}</h1>
{{if .Error}}<p class="error" id="error" role="alert">{{.Error}}</p>
{{end}}
{{- with .Form}}
<p>{{if .ClientName}}<strong>{{.ClientName}}</strong>{{else}}This application{{end}} uses Plaid to connect your account.
This page stands in for Link's front end on link token <code id="link-token">{{.LinkToken}}</code>{{if .Hosted}} (Hosted Link){{end}}.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="submission" value="{{.Submission}}">
{{- if .Update}}{{template "update" .UpdateView}}
{{- else}}
<label for="institution">Institution</label>
<select id="institution" name="institution">
{{- range .Institutions}}
<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>
{{- end}}
</select>
<fieldset id="accounts"><legend>Accounts to link</legend>
{{- range .Accounts}}
<label><input type="checkbox" name="account" value="{{.Mask}}" id="account-{{.Mask}}"{{if .Checked}} checked{{end}}> {{.Label}}</label>
{{- end}}
</fieldset>
{{- end}}
<p><button type="submit" id="continue" name="action" value="continue">Continue</button></p>
<fieldset><legend>Or leave Link without linking</legend>
<label for="exit-status">Exit status</label>
<select id="exit-status" name="exit_status">
{{- range .ExitStatuses}}
<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>
{{- end}}
</select>
<p><button type="submit" id="exit" name="action" value="exit">Exit</button></p>
</fieldset>
</form>
{{- end}}
{{- with .Outcome}}
<section id="outcome" data-status="{{if .Completed}}completed{{else}}exited{{end}}">
<p id="summary">{{if .Completed}}{{if .Update}}Reconnected {{.InstitutionName}}: the Item was repaired.{{else}}{{.InstitutionName}} was linked: {{.Items}} Item created.{{end}}{{else}}The user left Link at {{.InstitutionName}} with exit status <code>{{.ExitStatus}}</code>.{{end}}</p>
<dl>
<dt>link_token</dt><dd><code id="link-token">{{.LinkToken}}</code></dd>
<dt>link_session_id</dt><dd><code id="link-session-id">{{.LinkSessionID}}</code></dd>
<dt>institution</dt><dd><code id="institution-id">{{.InstitutionID}}</code> {{.InstitutionName}}</dd>
{{- if .Completed}}
<dt>accounts</dt><dd id="accounts">{{range $i, $a := .Accounts}}{{if $i}}, {{end}}{{$a}}{{end}}</dd>
{{- else}}
<dt>exit status</dt><dd><code id="exit-status">{{.ExitStatus}}</code></dd>
{{- end}}
</dl>
{{- if .Completed}}
<p id="token-from">Your backend gets the public_token from {{.TokenFrom}}, and exchanges it.</p>
{{- end}}
<h2>Webhooks</h2>
{{- if .Webhooks}}
<ul id="webhooks">
{{- range .Webhooks}}
<li><code>{{.Code}}</code> to <code>{{.URL}}</code>: <span{{if .Failed}} class="failed"{{end}}>{{.Status}}</span></li>
{{- end}}
</ul>
{{- else}}
<p id="webhooks">{{.NoWebhooks}}</p>
{{- end}}
{{- if .Redirect}}
<p>Returning to <a id="redirect" href="{{.Redirect}}">{{.Redirect}}</a>…</p>
{{- end}}
{{- if .Again}}
<p><a id="again" href="{{.Again}}">Start another session with this link token</a></p>
{{- end}}
</section>
{{- end}}
</main>
</body>
</html>
`))
