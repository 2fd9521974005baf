package org.lafsfs.vfs;

import org.lafsfs.vfs.VfsFixture.Client;

/** The conformance suite run against {@link LafsVfs} itself, with no frontend in between. */
class LafsVfsConformanceTest extends VfsConformance {
    @Override
    protected Vfs mount(Client client) throws Exception {
        return LafsVfs.open(client.grid(), client.root(), client.config());
    }
}
