package io.cpns.server.store.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** One short statement per call on a pooled connection; failures as typed errors without driver text. */
final class Sql {
    static final String UNIQUE_VIOLATION = "23505";

    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final DataSource ds;

    Sql(DataSource ds) {
        this.ds = ds;
    }

    <T> List<T> query(String sql, Row<T> row, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(row.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw failure("query", e);
        }
    }

    /** @return rows changed */
    int update(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("update", e);
        }
    }

    /** Like {@link #update} but a duplicate key is not an error: returns false instead. */
    boolean insertIfAbsent(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw failure("insert", e);
        }
    }

    /** A null of a given SQL type ({@link java.sql.Types}): PostgreSQL refuses an untyped null for a BIGINT or BOOLEAN column. */
    record Null(int sqlType) {
    }

    static final Null NULL_BIGINT = new Null(java.sql.Types.BIGINT);

    /** {@code value}, or a BIGINT null. */
    static Object bigint(Long value) {
        return value == null ? NULL_BIGINT : value;
    }

    /** Statements of one transaction. */
    interface Tx {
        /** @return rows changed */
        int update(String sql, Object... args) throws SQLException;

        /** One statement for many rows, sent in batches. */
        void batch(String sql, List<Object[]> rows) throws SQLException;

        /** Ends the transaction with a rollback instead of a commit. */
        void rollbackOnly();
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed if it returns (unless it asked for a rollback), rolled back if it throws. */
    <T> T transaction(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                boolean[] rollback = {false};
                T result = work.run(new Tx() {
                    @Override
                    public int update(String sql, Object... args) throws SQLException {
                        try (PreparedStatement ps = prepare(c, sql, args)) {
                            return ps.executeUpdate();
                        }
                    }

                    @Override
                    public void batch(String sql, List<Object[]> rows) throws SQLException {
                        try (PreparedStatement ps = c.prepareStatement(sql)) {
                            int n = 0;
                            for (Object[] row : rows) {
                                bind(ps, row);
                                ps.addBatch();
                                if (++n % 500 == 0) {
                                    ps.executeBatch();
                                }
                            }
                            if (n % 500 != 0) {
                                ps.executeBatch();
                            }
                        }
                    }

                    @Override
                    public void rollbackOnly() {
                        rollback[0] = true;
                    }
                });
                if (rollback[0]) {
                    c.rollback();
                } else {
                    c.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw failure("transaction", e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        bind(ps, args);
        return ps;
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                ps.setNull(i + 1, java.sql.Types.VARCHAR); // IDs and texts; other types pass a typed Null
            } else if (args[i] instanceof Null n) {
                ps.setNull(i + 1, n.sqlType());
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
    }

    /** The detail goes to peers: SQL state only; the driver's message (host names, SQL) stays in the cause, for the log. */
    static CpnsException failure(String what, SQLException e) {
        return new CpnsException(ErrorCode.UNAVAILABLE, "database " + what + " failed (SQL state " + e.getSQLState() + ")", e);
    }
}
