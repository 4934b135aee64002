/** What a landcover model produces and needs: classes, and (later) networks and their bundles. */
package dev.landcover.core.model;
