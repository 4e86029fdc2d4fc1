using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchExports.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ScheduleNextFiring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "next_firing_at",
                table: "batch_export_schedules",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_schedules_due",
                table: "batch_export_schedules",
                column: "next_firing_at",
                filter: "NOT paused");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_batch_export_schedules_due",
                table: "batch_export_schedules");

            migrationBuilder.DropColumn(
                name: "next_firing_at",
                table: "batch_export_schedules");
        }
    }
}
