/* test_at_result.c - placeholder */
int main(void){return 0;}
