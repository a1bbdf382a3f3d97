"""The faces, thin: the `kho` CLI, the REST API, the Gradio workdesk, and the server that composes them behind the
HTTP perimeter (`ui.security`). Each turns a request into an `app.services` call and renders the result."""
