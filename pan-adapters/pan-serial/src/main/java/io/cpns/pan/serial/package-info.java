/** Serial-line PAN adapter; private implementation (configure through {@code cpns.pan.serial}). */
package io.cpns.pan.serial;
