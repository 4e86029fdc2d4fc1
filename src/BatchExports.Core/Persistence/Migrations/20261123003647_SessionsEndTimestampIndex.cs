using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchExports.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SessionsEndTimestampIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_sessions_team_id_end_timestamp",
                table: "sessions",
                columns: new[] { "team_id", "end_timestamp" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sessions_team_id_end_timestamp",
                table: "sessions");
        }
    }
}
