package org.lafsfs.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.grid.Grid;

/** A test that runs on a fresh simulated grid (ten servers unless it says otherwise) and one client of it. */
abstract class OnSimulatedGrid {
    @TempDir
    Path dir;
    SimulatedGrid grid;
    Grid client;

    /** How many servers the grid starts with. */
    int servers() {
        return 10;
    }

    @BeforeEach
    void startGrid() {
        grid = new SimulatedGrid(dir, servers());
        client = grid.client();
    }

    @AfterEach
    void stopGrid() {
        grid.close();
    }
}
