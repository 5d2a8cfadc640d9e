package io.cpns.server.update.internal;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;

/**
 * Serves {@code /cpns/releases/<releaseSeq>/<file>} (docs/updates.md §3). Only a file that a
 * published release lists is served: anything else is 404 before the file system is touched, so a
 * traversal or a stray file under the release directory never answers. What is served, Jetty's
 * {@link ResourceServlet} serves: Range (206, {@code Content-Range}), 416, HEAD, conditional
 * requests. Its initialisation waits for the first request: under the OSGi whiteboard it finds its
 * Jetty context only within a request. Called on Jetty's request threads; blocks on file reads.
 */
final class ArtifactServlet extends ResourceServlet {
    private static final long serialVersionUID = 1L;
    /** A release sequence and a file name of a manifest (no '/', no leading '.', no ".."). */
    private static final Pattern PATH = Pattern.compile("/([1-9][0-9]{0,17})/([A-Za-z0-9_][A-Za-z0-9._+-]{0,254})");
    private static final String VALIDATED = ArtifactServlet.class.getName() + ".path";

    /** Whether a published release lists the file. */
    @FunctionalInterface
    interface Published {
        boolean lists(long releaseSeq, String file);
    }

    private final transient Published published;
    private volatile boolean ready;

    ArtifactServlet(Published published) {
        this.published = published;
    }

    @Override
    public void init() {
        // deferred to the first request (see the class comment)
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String method = req.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            resp.setHeader("Allow", "GET, HEAD");
            resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        String path = req.getPathInfo();
        Matcher m = path == null ? null : PATH.matcher(path);
        if (m == null || !m.matches() || m.group(2).contains("..") || !published.lists(Long.parseLong(m.group(1)), m.group(2))) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        if (!ready) {
            synchronized (this) {
                if (!ready) {
                    super.init();
                    ready = true;
                }
            }
        }
        req.setAttribute(VALIDATED, path);
        super.service(req, resp);
    }

    /** The path checked above, relative to the release directory (the servlet's base resource). */
    @Override
    protected String getEncodedPathInContext(HttpServletRequest request, boolean included) {
        return (String) request.getAttribute(VALIDATED);
    }
}
