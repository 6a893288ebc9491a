package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@code config} shows of a secret: nothing of the token, the URL without its password. */
class SettingValuesTest {

  @Test
  void tokensAreHiddenButTheirAbsenceIsShown() {
    assertThat(SettingValues.masked(ServeOption.ADMIN_TOKEN, "t0ken")).isEqualTo("(secret)");
    assertThat(SettingValues.masked(ServeOption.ORIGIN_TOKEN, "none")).isEqualTo("none");
  }

  @Test
  void aPasswordInTheDatabaseUrlIsHiddenWhereverItIsWritten() {
    assertThat(SettingValues.masked(ServeOption.DB_URL,
            "jdbc:postgresql://db/ic?user=ic&PASSWORD=a$b\\c&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/ic?user=ic&PASSWORD=(secret)&ssl=true");
    assertThat(SettingValues.masked(ServeOption.DB_URL, "jdbc:postgresql://ic:pw@db:5432/ic"))
        .isEqualTo("jdbc:postgresql://ic:(secret)@db:5432/ic");
    assertThat(SettingValues.masked(ServeOption.DB_URL, "jdbc:postgresql://db/ic?user=ic"))
        .isEqualTo("jdbc:postgresql://db/ic?user=ic");
  }

  @Test
  void otherValuesAreShownAsTheyAre() {
    assertThat(SettingValues.masked(ServeOption.ORIGIN, "http://origin/{id}"))
        .isEqualTo("http://origin/{id}");
  }
}
