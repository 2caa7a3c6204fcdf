"""The dashboard's Content-Security-Policy, one definition for CloudFront (cdk/constructs/web.py) and
the local stack's server (local_stack/dashboard.py)."""


def content_security_policy(connect: list[str], images: list[str]) -> str:
    """Only the app's own scripts and styles; fetches only to `connect` (API, sign-in, upload
    buckets); images from itself and `images` (an uploaded page, by a short-lived link); no framing,
    plugins or forms posting elsewhere. Markup injected through data could run nothing and send
    nothing away."""
    return ("default-src 'none'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data: blob: {' '.join(images)}; manifest-src 'self'; worker-src 'self'; "
            f"connect-src 'self' {' '.join(connect)}; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
