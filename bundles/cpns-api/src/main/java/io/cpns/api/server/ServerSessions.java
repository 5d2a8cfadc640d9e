package io.cpns.api.server;

import java.util.List;

/** The Server's live authenticated sessions, for operators. */
public interface ServerSessions {
    List<SessionInfo> list();
}
