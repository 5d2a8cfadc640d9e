/**
 * Files that survive a crash or power cut whole: either the old content or the new one, owner-only
 * from their first byte (docs/security.md §10.3). One helper for every bundle that writes state or
 * secrets to disk, and for the launcher and the release tool, which run without OSGi.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.1")
package io.cpns.api.file;
