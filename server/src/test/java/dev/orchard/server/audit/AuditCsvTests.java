package dev.orchard.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The audit CSV export neutralises spreadsheet formulas at the start of a cell and after every line break in it. */
class AuditCsvTests {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            plain name              | plain name
            =1+1                    | '=1+1
            +SUM(A1)                | '+SUM(A1)
            -2+3                    | '-2+3
            @cmd                    | '@cmd
            a, b                    | "a, b"
            """)
    void cellsAreSafe(String value, String expected) {
        assertThat(AuditTrail.csv(value)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void formulasAfterLineBreaksAndControlStartsAreNeutralised() {
        assertThat(AuditTrail.csv("name\n=1+1")).isEqualTo("\"name\n'=1+1\"");
        assertThat(AuditTrail.csv("x\r\n@SUM(1)")).isEqualTo("\"x\r\n'@SUM(1)\"");
        assertThat(AuditTrail.csv("\t=1")).isEqualTo("'\t=1");
        assertThat(AuditTrail.csv(null)).isEmpty();
        assertThat(AuditTrail.csv("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    }
}
