-- AlterEnum
ALTER TYPE "ConnectionType" ADD VALUE 'http';
